package io.spool.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DeleteConsumerGroupsOptions;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code spool group delete GROUP...}: deletes consumer groups and their committed offsets. The broker refuses a
 * group that has members; each failure is reported on its own line and makes the command exit 1.
 */
@Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Delete consumer groups that have no active members, with their committed offsets.")
final class GroupDeleteCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    AdminOptions admin;

    @Parameters(arity = "1..*", paramLabel = "GROUP", description = "The groups to delete.")
    List<String> groups;

    GroupDeleteCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        int failures = 0;
        try (Admin client = admin.open()) {
            Map<String, KafkaFuture<Void>> results = client.deleteConsumerGroups(groups,
                    new DeleteConsumerGroupsOptions().timeoutMs(admin.timeoutMs)).deletedGroups();
            for (String group : groups.stream().distinct().toList()) {
                try {
                    results.get(group).get();
                    terminal.out().println("Deleted consumer group " + group + ".");
                } catch (ExecutionException e) {
                    failures++;
                    terminal.err().println("Cannot delete consumer group " + group + ": " + reason(group, e));
                }
            }
        }
        return failures == 0 ? SpoolCli.EXIT_OK : SpoolCli.EXIT_FAILED;
    }

    private String reason(String group, ExecutionException e) {
        Throwable cause = ErrorMessages.unwrap(e);
        if (cause instanceof GroupNotEmptyException) {
            return "it has active members; stop its consumers first";
        }
        if (cause instanceof GroupIdNotFoundException) {
            return ConsumerGroupAdmin.notFound(group);
        }
        return admin.failure(e).getMessage();
    }
}
