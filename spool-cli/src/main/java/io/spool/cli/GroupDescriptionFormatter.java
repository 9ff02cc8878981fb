package io.spool.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;

/**
 * Renders a described consumer group as three tables, as {@code kafka-consumer-groups.sh --describe} prints them
 * with {@code --state}, {@code --members} and {@code --offsets}: the group, its members, then one row per partition
 * that is assigned to a member or has a committed offset. {@code LAG} is the log end offset minus the committed
 * offset; anything unknown prints as {@code -}. A table without rows is replaced by a sentence saying so. Immutable.
 *
 * <pre>
 * GROUP   TYPE     STATE   COORDINATOR (ID)     ASSIGNMENT-STRATEGY  #MEMBERS
 * orders  Classic  Stable  127.0.0.1:9092 (1)  range                1
 *
 * GROUP   CONSUMER-ID  HOST        CLIENT-ID  #PARTITIONS  ASSIGNMENT
 * orders  c-1-5f0e     /127.0.0.1  c-1        2            orders(0,1)
 *
 * GROUP   TOPIC   PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG  CONSUMER-ID  HOST        CLIENT-ID
 * orders  orders  0          40              52              12   c-1-5f0e     /127.0.0.1  c-1
 * orders  orders  1          -               7               -    c-1-5f0e     /127.0.0.1  c-1
 * </pre>
 */
final class GroupDescriptionFormatter {
    static final Comparator<TopicPartition> BY_TOPIC_THEN_PARTITION =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private final Map<TopicPartition, Long> committed;
    private final Map<TopicPartition, Long> logEnd;

    /**
     * @param committed the group's committed offsets
     * @param logEnd    the log end offsets known for the group's partitions
     */
    GroupDescriptionFormatter(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> logEnd) {
        this.committed = committed;
        this.logEnd = logEnd;
    }

    /** The partitions {@link #format} shows: every assigned partition and every one with a committed offset. */
    static Set<TopicPartition> partitions(ConsumerGroupDescription group, Map<TopicPartition, Long> committed) {
        Set<TopicPartition> partitions = new TreeSet<>(BY_TOPIC_THEN_PARTITION);
        partitions.addAll(committed.keySet());
        group.members().forEach(m -> partitions.addAll(m.assignment().topicPartitions()));
        return partitions;
    }

    List<String> format(ConsumerGroupDescription group) {
        List<String> lines = new ArrayList<>(state(group).lines());
        lines.add("");
        if (group.members().isEmpty()) {
            lines.add("Consumer group '" + group.groupId() + "' has no active members.");
        } else {
            lines.addAll(members(group).lines());
        }
        lines.add("");
        Table offsets = offsets(group);
        if (offsets.isEmpty()) {
            lines.add("Consumer group '" + group.groupId() + "' has no committed offsets.");
        } else {
            lines.addAll(offsets.lines());
        }
        return lines;
    }

    private static Table state(ConsumerGroupDescription group) {
        return new Table("GROUP", "TYPE", "STATE", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "#MEMBERS")
                .row(group.groupId(), group.type(), group.groupState(), coordinator(group.coordinator()),
                        group.partitionAssignor(), group.members().size());
    }

    private static Table members(ConsumerGroupDescription group) {
        Table table = new Table("GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS", "ASSIGNMENT");
        group.members().stream().sorted(Comparator.comparing(MemberDescription::consumerId)).forEach(m -> table.row(
                group.groupId(), m.consumerId(), m.host(), m.clientId(), m.assignment().topicPartitions().size(),
                assignment(m.assignment().topicPartitions())));
        return table;
    }

    private Table offsets(ConsumerGroupDescription group) {
        Map<TopicPartition, MemberDescription> owners = new HashMap<>();
        group.members().forEach(m -> m.assignment().topicPartitions().forEach(tp -> owners.put(tp, m)));
        Table table = new Table("GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
                "CONSUMER-ID", "HOST", "CLIENT-ID");
        for (TopicPartition tp : partitions(group, committed)) {
            Long current = committed.get(tp);
            Long end = logEnd.get(tp);
            MemberDescription owner = owners.get(tp);
            table.row(group.groupId(), tp.topic(), tp.partition(), current, end,
                    current == null || end == null ? null : end - current,
                    owner == null ? null : owner.consumerId(), owner == null ? null : owner.host(),
                    owner == null ? null : owner.clientId());
        }
        return table;
    }

    private static String coordinator(Node node) {
        return node == null || node.isEmpty() ? null : node.host() + ":" + node.port() + " (" + node.id() + ")";
    }

    /** {@code orders(0,1),payments(3)}: topics sorted, partitions ascending. */
    static String assignment(Set<TopicPartition> partitions) {
        Map<String, Set<Integer>> byTopic = new TreeMap<>();
        partitions.forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new TreeSet<>()).add(tp.partition()));
        return byTopic.entrySet().stream()
                .map(e -> e.getKey() + e.getValue().stream().map(String::valueOf)
                        .collect(Collectors.joining(",", "(", ")")))
                .collect(Collectors.joining(","));
    }
}
