package io.spool.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code spool group}: groups the consumer group subcommands; on its own it is a usage error. */
@Command(name = "group", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List, describe, reset the offsets of and delete consumer groups.",
        subcommands = {GroupListCommand.class, GroupDescribeCommand.class, GroupResetOffsetsCommand.class,
            GroupDeleteCommand.class})
final class GroupCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing command: list, describe, reset-offsets or delete");
    }
}
