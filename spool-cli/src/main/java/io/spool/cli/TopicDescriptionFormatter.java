package io.spool.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Renders a described topic as tab-separated {@code Name: value} fields: a topic line, then one indented line per
 * partition. The topic line lists the configs given, each with its source as DescribeConfigs reports it
 * ({@code DYNAMIC_TOPIC_CONFIG} for a topic override, {@code DEFAULT_CONFIG}, ...). Offsets or configs that are
 * unknown print as {@code ?}. Immutable.
 *
 * <pre>
 * Topic: orders	TopicId: 3x...	PartitionCount: 2	ReplicationFactor: 1	Configs: retention.ms=9 (DYNAMIC_TOPIC_CONFIG)
 * 	Topic: orders	Partition: 0	Leader: 1	Replicas: 1	Isr: 1	EarliestOffset: 0	LatestOffset: 42
 * </pre>
 */
final class TopicDescriptionFormatter {
    private final Map<TopicPartition, Long> earliest;
    private final Map<TopicPartition, Long> latest;

    TopicDescriptionFormatter(Map<TopicPartition, Long> earliest, Map<TopicPartition, Long> latest) {
        this.earliest = earliest;
        this.latest = latest;
    }

    /** @param configs the topic's settings to show, or {@code null} when they could not be fetched */
    List<String> format(TopicDescription topic, List<ConfigEntry> configs) {
        List<String> lines = new ArrayList<>();
        int replicationFactor = topic.partitions().isEmpty() ? 0 : topic.partitions().get(0).replicas().size();
        lines.add("Topic: " + topic.name()
                + "\tTopicId: " + topic.topicId()
                + "\tPartitionCount: " + topic.partitions().size()
                + "\tReplicationFactor: " + replicationFactor
                + "\tConfigs: " + (configs == null ? "?" : configs.stream()
                        .map(TopicDescriptionFormatter::config).collect(Collectors.joining(","))));
        for (TopicPartitionInfo p : topic.partitions()) {
            TopicPartition tp = new TopicPartition(topic.name(), p.partition());
            lines.add("\tTopic: " + topic.name()
                    + "\tPartition: " + p.partition()
                    + "\tLeader: " + (p.leader() == null || p.leader().isEmpty() ? "none" : p.leader().id())
                    + "\tReplicas: " + ids(p.replicas())
                    + "\tIsr: " + ids(p.isr())
                    + (p.elr() == null || p.elr().isEmpty() ? "" : "\tElr: " + ids(p.elr()))
                    + "\tEarliestOffset: " + orUnknown(earliest.get(tp))
                    + "\tLatestOffset: " + orUnknown(latest.get(tp)));
        }
        return lines;
    }

    private static String config(ConfigEntry entry) {
        return entry.name() + "=" + (entry.isSensitive() ? "<sensitive>" : entry.value()) + " (" + entry.source()
                + ")";
    }

    private static String ids(List<Node> nodes) {
        return nodes.stream().map(n -> String.valueOf(n.id())).collect(Collectors.joining(","));
    }

    private static String orUnknown(Long offset) {
        return offset == null ? "?" : offset.toString();
    }
}
