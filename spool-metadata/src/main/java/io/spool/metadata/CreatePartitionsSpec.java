package io.spool.metadata;

import java.util.List;

/**
 * One topic of a CreatePartitions request.
 *
 * @param count       the total number of partitions the topic should have
 * @param assignments the replicas of each new partition, in partition order, or null for automatic placement
 */
public record CreatePartitionsSpec(String name, int count, List<List<Integer>> assignments) {

    public CreatePartitionsSpec {
        assignments = assignments == null ? null : assignments.stream().map(List::copyOf).toList();
    }

    /** Grow the topic to {@code count} partitions placed automatically. */
    public static CreatePartitionsSpec of(String name, int count) {
        return new CreatePartitionsSpec(name, count, null);
    }
}
