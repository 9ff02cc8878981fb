package io.spool.bench;

import picocli.CommandLine.Command;

/** {@code spool bench}: the benchmarks, each a subcommand. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
        subcommands = {StartupBenchmark.class, GroupRebalanceBenchmark.class})
public final class BenchCommand {
}
