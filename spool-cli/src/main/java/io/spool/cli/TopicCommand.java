package io.spool.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code spool topic}: groups the topic subcommands; on its own it is a usage error. */
@Command(name = "topic", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Create, list, describe, alter and delete topics, and delete their old records.",
        subcommands = {TopicCreateCommand.class, TopicListCommand.class, TopicDescribeCommand.class,
            TopicAlterCommand.class, TopicDeleteCommand.class, TopicDeleteRecordsCommand.class})
final class TopicCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing command: create, list, describe, alter, delete or delete-records");
    }
}
