package io.spool.coordinator;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * A comparable copy of the coordinator's groups and committed offsets, for tests and tools.
 *
 * @param groups  group id to a summary of its state
 * @param offsets group id to its committed offsets
 */
public record CoordinatorSnapshot(Map<String, GroupSummary> groups,
                                  Map<String, Map<TopicPartition, CoordinatorRecordSerde.OffsetValue>> offsets) {

    /**
     * @param generation the generation (classic) or group epoch (consumer)
     * @param members    member id to a description of its assignment (classic: the bytes in hex; consumer: the
     *                   epoch, state and partitions)
     */
    public record GroupSummary(String type, String state, int generation, String protocol,
                               Map<String, String> members) {
    }

    static CoordinatorSnapshot of(Collection<CoordinatorShard> shards) {
        Map<String, GroupSummary> groups = new TreeMap<>();
        Map<String, Map<TopicPartition, CoordinatorRecordSerde.OffsetValue>> offsets = new TreeMap<>();
        for (CoordinatorShard s : shards) {
            if (s.loading) {
                continue;
            }
            s.groups.values().forEach(g -> groups.put(g.groupId(), summary(g)));
            offsets.putAll(s.offsets.snapshot());
        }
        return new CoordinatorSnapshot(groups, offsets);
    }

    private static GroupSummary summary(Group g) {
        Map<String, String> members = new TreeMap<>();
        if (g instanceof ClassicGroup c) {
            c.members.values().forEach(m -> members.put(m.memberId, hex(m.assignment)));
            return new GroupSummary(g.type(), g.stateName(), c.generation, c.protocolName, members);
        }
        ConsumerGroup c = (ConsumerGroup) g;
        c.members.values().forEach(m -> members.put(m.memberId(), m.memberEpoch() + "/" + m.state() + "/"
            + m.assigned().partitions() + "/" + m.pendingRevocation().partitions() + "/"
            + c.target(m.memberId()).partitions()));
        return new GroupSummary(g.type(), g.stateName(), c.groupEpoch, null, members);
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }
}
