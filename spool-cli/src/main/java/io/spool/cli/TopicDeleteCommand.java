package io.spool.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DeleteTopicsOptions;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spool topic delete NAME...}: deletes topics, reporting each failure on its own line. */
@Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Delete topics.")
final class TopicDeleteCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    AdminOptions admin;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "The topics to delete.")
    List<String> names;

    @Option(names = "--if-exists", description = "Succeed for topics that do not exist.")
    boolean ifExists;

    TopicDeleteCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        int failures = 0;
        try (Admin client = admin.open()) {
            Map<String, KafkaFuture<Void>> results =
                    client.deleteTopics(names, new DeleteTopicsOptions().timeoutMs(admin.timeoutMs)).topicNameValues();
            for (String name : names) {
                try {
                    results.get(name).get();
                    terminal.out().println("Deleted topic " + name + ".");
                } catch (ExecutionException e) {
                    if (ifExists && e.getCause() instanceof UnknownTopicOrPartitionException) {
                        continue;
                    }
                    failures++;
                    terminal.err().println("Cannot delete topic " + name + ": " + ErrorMessages.describeForTopic(name, e));
                }
            }
        }
        return failures == 0 ? SpoolCli.EXIT_OK : SpoolCli.EXIT_FAILED;
    }
}
