package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class TopicDescriptionFormatterTest {
    private static final Node N1 = new Node(1, "h1", 9092);
    private static final Node N2 = new Node(2, "h2", 9092);
    private static final Uuid ID = new Uuid(1, 2);

    @Test
    void shouldPrintTopicLineThenOneLinePerPartition() {
        TopicDescription topic = new TopicDescription("orders", false, List.of(
                new TopicPartitionInfo(0, N1, List.of(N1, N2), List.of(N1, N2)),
                new TopicPartitionInfo(1, null, List.of(N2, N1), List.of())), null, ID);
        TopicDescriptionFormatter formatter = new TopicDescriptionFormatter(
                Map.of(new TopicPartition("orders", 0), 5L, new TopicPartition("orders", 1), 0L),
                Map.of(new TopicPartition("orders", 0), 42L));

        List<String> lines = formatter.format(topic, List.of(entry("cleanup.policy", "compact"),
                entry("retention.ms", "1000")));

        assertThat(lines).containsExactly(
                "Topic: orders\tTopicId: " + ID + "\tPartitionCount: 2\tReplicationFactor: 2\tConfigs: "
                        + "cleanup.policy=compact (DYNAMIC_TOPIC_CONFIG),retention.ms=1000 (DYNAMIC_TOPIC_CONFIG)",
                "\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1,2\tEarliestOffset: 5\tLatestOffset: 42",
                "\tTopic: orders\tPartition: 1\tLeader: none\tReplicas: 2,1\tIsr: \tEarliestOffset: 0\tLatestOffset: ?");
    }

    private static ConfigEntry entry(String name, String value) {
        return new ConfigEntry(name, value, ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, false, false, List.of(),
                ConfigEntry.ConfigType.UNKNOWN, null);
    }

    @Test
    void shouldShowEachConfigsSourceAndHideSensitiveValues() {
        TopicDescription topic = new TopicDescription("t", false, List.of(), null, ID);
        List<ConfigEntry> configs = List.of(
                new ConfigEntry("segment.ms", "604800000", ConfigEntry.ConfigSource.DEFAULT_CONFIG, false, false,
                        List.of(), ConfigEntry.ConfigType.LONG, null),
                new ConfigEntry("retention.ms", "5", ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG, false, false,
                        List.of(), ConfigEntry.ConfigType.LONG, null),
                new ConfigEntry("secret", "x", ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, true, false,
                        List.of(), ConfigEntry.ConfigType.PASSWORD, null));

        List<String> lines = new TopicDescriptionFormatter(Map.of(), Map.of()).format(topic, configs);

        assertThat(lines.get(0)).endsWith("\tConfigs: segment.ms=604800000 (DEFAULT_CONFIG),"
                + "retention.ms=5 (STATIC_BROKER_CONFIG),secret=<sensitive> (DYNAMIC_TOPIC_CONFIG)");
    }

    @Test
    void shouldMarkConfigsUnknownWhenTheyCouldNotBeFetched() {
        TopicDescription topic = new TopicDescription("t", false, List.of(), null, ID);

        List<String> lines = new TopicDescriptionFormatter(Map.of(), Map.of()).format(topic, null);

        assertThat(lines).containsExactly("Topic: t\tTopicId: " + ID + "\tPartitionCount: 0\tReplicationFactor: 0"
                + "\tConfigs: ?");
    }
}
