package io.spool.cli;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spool group reset-offsets}: moves an inactive group's committed offsets, as
 * {@code kafka-consumer-groups.sh --reset-offsets} does. It prints the plan (current and new offset per partition)
 * and changes nothing unless {@code --execute} is given. A group with members is refused: its consumers would
 * overwrite the new offsets with their next commit. A group that does not exist yet may be given offsets.
 */
@Command(name = "reset-offsets", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Move the committed offsets of a consumer group that has no active members.",
            "Prints the plan (GROUP TOPIC PARTITION CURRENT-OFFSET NEW-OFFSET); without --execute nothing changes. "
                + "New offsets are clamped to each partition's earliest and latest offsets."})
final class GroupResetOffsetsCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    AdminOptions admin;

    @Option(names = {"-g", "--group"}, required = true, paramLabel = "GROUP", description = "The consumer group.")
    String group;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Scope scope;

    /** Which partitions to reset. */
    static final class Scope {
        @Option(names = "--topic", paramLabel = "TOPIC[:P,P...]", required = true,
                description = "A topic, all its partitions or the listed ones. Repeatable.")
        List<String> topics;

        @Option(names = "--all-topics", required = true,
                description = "Every partition the group has a committed offset for.")
        boolean allTopics;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    /** Where the offsets go. */
    static final class Target {
        @Option(names = "--to-earliest", required = true, description = "To the earliest retained offset.")
        boolean earliest;

        @Option(names = "--to-latest", required = true, description = "To the log end offset.")
        boolean latest;

        @Option(names = "--to-datetime", required = true, paramLabel = "ISO8601|MS",
                description = "To the first record at or after this time (epoch ms or ISO-8601, UTC if no offset is "
                        + "given); to the end where no record is that recent.")
        String datetime;

        @Option(names = "--to-offset", required = true, paramLabel = "N", description = "To this offset.")
        Long offset;

        @Option(names = "--shift-by", required = true, paramLabel = "N",
                description = "Move the committed offset by N (negative to go back).")
        Long shiftBy;

        OffsetReset toReset() {
            if (earliest) {
                return new OffsetReset.Earliest();
            }
            if (latest) {
                return new OffsetReset.Latest();
            }
            if (datetime != null) {
                return new OffsetReset.ToTimestamp(TimestampParser.parse(datetime));
            }
            return offset != null ? new OffsetReset.ToOffset(offset) : new OffsetReset.ShiftBy(shiftBy);
        }
    }

    @ArgGroup(exclusive = true)
    Mode mode;

    /** Whether to apply the plan. */
    static final class Mode {
        @Option(names = "--dry-run", description = "Only print the plan (the default).")
        boolean dryRun;

        @Option(names = "--execute", description = "Commit the new offsets.")
        boolean execute;
    }

    GroupResetOffsetsCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        OffsetReset reset = target.toReset();
        List<TopicPartitionsSpec> specs = scope.allTopics ? List.of()
                : scope.topics.stream().map(TopicPartitionsSpec::parse).toList();
        boolean execute = mode != null && mode.execute;
        try (Admin client = admin.open()) {
            ConsumerGroupAdmin groups = new ConsumerGroupAdmin(client, admin);
            ConsumerGroupDescription description = groups.describeIfExists(group);
            if (description != null && ConsumerGroupAdmin.isActive(description)) {
                throw CliException.failed(active(description));
            }
            Map<TopicPartition, Long> committed = groups.committed(group);
            Set<TopicPartition> partitions = scope.allTopics ? sorted(committed.keySet()) : partitions(client, specs);
            if (partitions.isEmpty()) {
                throw CliException.failed("Consumer group '" + group + "' has no committed offsets; name the topics "
                        + "with --topic");
            }
            Map<TopicPartition, Long> plan = plan(groups, reset, partitions, committed);
            if (execute) {
                alter(client, plan);
            }
            Table table = new Table("GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET");
            plan.forEach((tp, offset) -> table.row(group, tp.topic(), tp.partition(), committed.get(tp), offset));
            table.lines().forEach(terminal.out()::println);
        }
        if (!execute) {
            terminal.err().println("Dry run: no offset was changed; add --execute to commit the new offsets.");
        }
        return SpoolCli.EXIT_OK;
    }

    private Map<TopicPartition, Long> plan(ConsumerGroupAdmin groups, OffsetReset reset,
            Set<TopicPartition> partitions, Map<TopicPartition, Long> committed) throws InterruptedException {
        Map<TopicPartition, Long> earliest = groups.offsets(partitions, OffsetSpec.earliest());
        Map<TopicPartition, Long> latest = groups.offsets(partitions, OffsetSpec.latest());
        Map<TopicPartition, Long> atTime = reset instanceof OffsetReset.ToTimestamp t
                ? groups.offsets(partitions, OffsetSpec.forTimestamp(t.timestampMs())) : Map.of();
        Map<TopicPartition, Long> plan = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetReset.LogOffsets log = new OffsetReset.LogOffsets(earliest.get(tp), latest.get(tp),
                    atTime.getOrDefault(tp, -1L));
            try {
                plan.put(tp, reset.newOffset(committed.get(tp), log));
            } catch (CliException e) {
                throw new CliException(e.exitCode(), "Cannot reset " + tp + ": " + e.getMessage(), e);
            }
        }
        return plan;
    }

    /** The named partitions, or all of a topic's where none are named. */
    private Set<TopicPartition> partitions(Admin client, List<TopicPartitionsSpec> specs) throws InterruptedException {
        Map<String, TopicDescription> topics = describeTopics(client, specs);
        Set<TopicPartition> partitions = sorted(Set.of());
        for (TopicPartitionsSpec spec : specs) {
            int count = topics.get(spec.topic()).partitions().size();
            if (spec.partitions().isEmpty()) {
                for (int p = 0; p < count; p++) {
                    partitions.add(new TopicPartition(spec.topic(), p));
                }
            }
            for (int p : spec.partitions()) {
                if (p >= count) {
                    throw CliException.failed("Topic '" + spec.topic() + "' has no partition " + p + " (it has "
                            + count + ")");
                }
                partitions.add(new TopicPartition(spec.topic(), p));
            }
        }
        return partitions;
    }

    private Map<String, TopicDescription> describeTopics(Admin client, List<TopicPartitionsSpec> specs)
            throws InterruptedException {
        List<String> names = specs.stream().map(TopicPartitionsSpec::topic).distinct().toList();
        Map<String, TopicDescription> topics = new HashMap<>();
        Map<String, KafkaFuture<TopicDescription>> futures = client.describeTopics(names,
                new DescribeTopicsOptions().timeoutMs(admin.timeoutMs)).topicNameValues();
        for (String name : names) {
            try {
                topics.put(name, futures.get(name).get());
            } catch (ExecutionException e) {
                throw ErrorMessages.unwrap(e) instanceof UnknownTopicOrPartitionException
                        ? CliException.failed(ErrorMessages.describeForTopic(name, e)) : admin.failure(e);
            }
        }
        return topics;
    }

    private void alter(Admin client, Map<TopicPartition, Long> plan) throws InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        plan.forEach((tp, offset) -> offsets.put(tp, new OffsetAndMetadata(offset)));
        try {
            client.alterConsumerGroupOffsets(group, offsets,
                    new AlterConsumerGroupOffsetsOptions().timeoutMs(admin.timeoutMs)).all().get();
        } catch (ExecutionException e) {
            Throwable cause = ErrorMessages.unwrap(e);
            // The broker refuses a commit from outside the group once a member has joined since the check above.
            if (cause instanceof UnknownMemberIdException || cause instanceof IllegalGenerationException
                    || cause instanceof RebalanceInProgressException || cause instanceof GroupNotEmptyException) {
                throw new CliException(SpoolCli.EXIT_FAILED, "Consumer group '" + group + "' became active; stop "
                        + "its consumers first (" + ErrorMessages.text(cause) + ")", e);
            }
            throw admin.failure(e);
        }
    }

    private String active(ConsumerGroupDescription description) {
        return "Consumer group '" + group + "' is active (state " + description.groupState() + ", "
                + description.members().size() + " member(s)); stop its consumers first";
    }

    private static Set<TopicPartition> sorted(Set<TopicPartition> partitions) {
        Set<TopicPartition> sorted = new TreeSet<>(GroupDescriptionFormatter.BY_TOPIC_THEN_PARTITION);
        sorted.addAll(partitions);
        return sorted;
    }
}
