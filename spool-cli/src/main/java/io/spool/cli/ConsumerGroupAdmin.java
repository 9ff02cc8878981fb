package io.spool.cli;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * The Admin calls the {@code spool group} commands share, each bounded by {@code --timeout-ms} and each failure
 * turned into the line a user reads. Used by one command thread.
 */
final class ConsumerGroupAdmin {
    private final Admin client;
    private final AdminOptions options;

    ConsumerGroupAdmin(Admin client, AdminOptions options) {
        this.client = client;
        this.options = options;
    }

    /** Whether the group has members, or is between generations, so that its offsets belong to its consumers. */
    static boolean isActive(ConsumerGroupDescription group) {
        GroupState state = group.groupState();
        return !group.members().isEmpty() || (state != GroupState.EMPTY && state != GroupState.DEAD);
    }

    static String notFound(String group) {
        return "Consumer group '" + group + "' does not exist";
    }

    /**
     * The group's description, or {@code null} when the broker says it does not exist.
     *
     * @throws CliException for any other failure
     */
    ConsumerGroupDescription describeIfExists(String group) throws InterruptedException {
        try {
            ConsumerGroupDescription description = client.describeConsumerGroups(List.of(group),
                    new DescribeConsumerGroupsOptions().timeoutMs(options.timeoutMs)).describedGroups().get(group)
                    .get();
            // Old brokers answer an unknown group as Dead without an error.
            return description.groupState() == GroupState.DEAD && description.members().isEmpty()
                    && committed(group).isEmpty() ? null : description;
        } catch (ExecutionException e) {
            if (ErrorMessages.unwrap(e) instanceof GroupIdNotFoundException) {
                return null;
            }
            throw options.failure(e);
        }
    }

    /** The group's committed offsets; partitions without one are left out. */
    Map<TopicPartition, Long> committed(String group) throws InterruptedException {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = client.listConsumerGroupOffsets(group,
                    new ListConsumerGroupOffsetsOptions().timeoutMs(options.timeoutMs))
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, Long> result = new HashMap<>();
            offsets.forEach((tp, offset) -> {
                if (offset != null && offset.offset() >= 0) {
                    result.put(tp, offset.offset());
                }
            });
            return result;
        } catch (ExecutionException e) {
            if (ErrorMessages.unwrap(e) instanceof GroupIdNotFoundException) {
                return Map.of();
            }
            throw options.failure(e);
        }
    }

    /**
     * Each partition's offset for {@code spec} as the broker answers it ({@code -1} where it has none, e.g. no record
     * at or after a timestamp). A partition whose offset cannot be listed is left out and handed to
     * {@code onFailure}.
     */
    Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions, OffsetSpec spec,
            BiConsumer<TopicPartition, Throwable> onFailure) throws InterruptedException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        ListOffsetsResult result = client.listOffsets(request, new ListOffsetsOptions().timeoutMs(options.timeoutMs));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            try {
                offsets.put(tp, result.partitionResult(tp).get().offset());
            } catch (ExecutionException e) {
                onFailure.accept(tp, ErrorMessages.unwrap(e));
            }
        }
        return offsets;
    }

    /**
     * Like {@link #offsets(Collection, OffsetSpec, BiConsumer)} but every partition must answer.
     *
     * @throws CliException naming the first partition that failed
     */
    Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException {
        return offsets(partitions, spec, (tp, failure) -> {
            throw new CliException(ErrorMessages.exitCode(failure), "Cannot list offsets of " + tp + ": "
                    + options.failure(failure).getMessage(), failure);
        });
    }
}
