package io.spool.bench;

import io.spool.bench.compare.CompareBenchmark;
import picocli.CommandLine.Command;

/** {@code spool bench}: the benchmarks, each a subcommand. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
        subcommands = {StartupBenchmark.class, GroupRebalanceBenchmark.class, CompareBenchmark.class,
            FailoverBenchmark.class})
public final class BenchCommand {
}
