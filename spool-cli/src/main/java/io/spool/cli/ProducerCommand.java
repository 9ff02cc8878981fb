package io.spool.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code spool producer}: groups the producer subcommands; on its own it is a usage error. */
@Command(name = "producer", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Describe the idempotent and transactional producers partitions hold state for.",
        subcommands = ProducerDescribeCommand.class)
final class ProducerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: describe");
    }
}
