package io.spool.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code spool group describe [GROUP...]}: each group's state, members and, per partition, committed offset, log end
 * offset and lag (see {@link GroupDescriptionFormatter}). A group that does not exist, or end offsets that cannot be
 * fetched, are reported on stderr and make the command exit 1 after printing what it could; the end offset of a
 * deleted topic's partition just prints as {@code -}.
 */
@Command(name = "describe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Describe consumer groups (all of them when none is named): state, members, and per partition "
                + "the committed offset, log end offset and lag.")
final class GroupDescribeCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    AdminOptions admin;

    @Parameters(arity = "0..*", paramLabel = "GROUP", description = "The groups to describe.")
    List<String> groups = new ArrayList<>();

    private boolean partial;

    GroupDescribeCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        try (Admin client = admin.open()) {
            ConsumerGroupAdmin groupAdmin = new ConsumerGroupAdmin(client, admin);
            boolean first = true;
            for (String group : groups.isEmpty() ? allGroups(client) : groups) {
                List<String> lines = describe(groupAdmin, group);
                if (!lines.isEmpty()) {
                    if (!first) {
                        terminal.out().println();
                    }
                    lines.forEach(terminal.out()::println);
                    first = false;
                }
            }
        }
        return partial ? SpoolCli.EXIT_FAILED : SpoolCli.EXIT_OK;
    }

    private List<String> describe(ConsumerGroupAdmin groupAdmin, String group) throws InterruptedException {
        ConsumerGroupDescription description = groupAdmin.describeIfExists(group);
        if (description == null) {
            warn(ConsumerGroupAdmin.notFound(group));
            return List.of();
        }
        Map<TopicPartition, Long> committed = groupAdmin.committed(group);
        Set<TopicPartition> partitions = GroupDescriptionFormatter.partitions(description, committed);
        Map<TopicPartition, Long> logEnd = groupAdmin.offsets(partitions, OffsetSpec.latest(), (tp, failure) -> {
            if (!(failure instanceof UnknownTopicOrPartitionException)) {
                warn("Cannot list the log end offset of " + tp + ": " + admin.failure(failure).getMessage());
            }
        });
        return new GroupDescriptionFormatter(committed, logEnd).format(description);
    }

    private List<String> allGroups(Admin client) throws InterruptedException {
        try {
            Set<String> names = new TreeSet<>();
            for (GroupListing listing : client.listGroups(ListGroupsOptions.forConsumerGroups()
                    .timeoutMs(admin.timeoutMs)).all().get()) {
                names.add(listing.groupId());
            }
            return new ArrayList<>(names);
        } catch (ExecutionException e) {
            throw admin.failure(e);
        }
    }

    private void warn(String message) {
        partial = true;
        terminal.err().println(message);
    }
}
