package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ControllerConfigsTest {
    private static final ConfigResourceId ORDERS = new ConfigResourceId(ConfigResourceType.TOPIC, "orders");
    private static final ConfigResourceId BROKER_1 = new ConfigResourceId(ConfigResourceType.BROKER, "1");
    private static final ConfigResourceId DEFAULT_BROKER = new ConfigResourceId(ConfigResourceType.BROKER, "");
    private static final String LEADER_REPLICAS = "leader.replication.throttled.replicas";

    private final LocalMetadataQuorum quorum = new LocalMetadataQuorum().withBrokers(0, 1, 2);
    private final Controller controller = new Controller(quorum, Clock.systemUTC(), ControllerSettings.defaults());

    @BeforeEach
    void createTopic() {
        assertThat(controller.createTopics(List.of(CreateTopicSpec.of("orders", 2, 2)
                .withConfigs(Map.of("retention.ms", "100"))), false).join().get(0).error()).isEqualTo(Errors.NONE);
    }

    @AfterEach
    void close() {
        controller.close();
    }

    private AlterConfigsResult alter(ConfigResourceId resource, ConfigOp... ops) {
        return alter(resource, false, ops);
    }

    private AlterConfigsResult alter(ConfigResourceId resource, boolean validateOnly, ConfigOp... ops) {
        List<AlterConfigsResult> results = controller.incrementalAlterConfigs(Map.of(resource, List.of(ops)),
                validateOnly).join();
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    private static ConfigOp op(ConfigOp.Kind kind, String name, String value) {
        return new ConfigOp(name, kind, value);
    }

    @Test
    void shouldSetAndDeleteTopicConfigsWhenValid() {
        assertThat(alter(ORDERS, ConfigOp.set("segment.ms", "5000"), ConfigOp.delete("retention.ms")).error())
                .isEqualTo(Errors.NONE);

        assertThat(quorum.image().configs().topicConfigs("orders")).isEqualTo(Map.of("segment.ms", "5000"));
    }

    @Test
    void shouldWriteNothingWhenValidateOnly() {
        int before = quorum.log().size();

        assertThat(alter(ORDERS, true, ConfigOp.set("segment.ms", "5000")).error()).isEqualTo(Errors.NONE);

        assertThat(quorum.log()).hasSize(before);
        assertThat(quorum.image().configs().topicConfigs("orders")).isEqualTo(Map.of("retention.ms", "100"));
    }

    @Test
    void shouldAppendAndSubtractWhenConfigIsList() {
        alter(ORDERS, op(ConfigOp.Kind.APPEND, LEADER_REPLICAS, "0:1,1:2"));
        alter(ORDERS, op(ConfigOp.Kind.APPEND, LEADER_REPLICAS, "1:2,0:2"));
        assertThat(quorum.image().configs().topicConfigs("orders")).containsEntry(LEADER_REPLICAS, "0:1,1:2,0:2");

        alter(ORDERS, op(ConfigOp.Kind.SUBTRACT, LEADER_REPLICAS, "0:1"));

        assertThat(quorum.image().configs().topicConfigs("orders")).containsEntry(LEADER_REPLICAS, "1:2,0:2");
    }

    /** Kafka 4's limit (KAFKA-18907): a config record's value holds at most 32,767 bytes, however it is reached. */
    @Test
    void shouldRefuseAValueLongerThanARecordHoldsAndKeepTheOldOne() {
        assertThat(alter(ORDERS, op(ConfigOp.Kind.APPEND, LEADER_REPLICAS, throttledReplicas(0, 2_000))).error())
                .isEqualTo(Errors.NONE);
        assertThat(alter(ORDERS, op(ConfigOp.Kind.APPEND, LEADER_REPLICAS, throttledReplicas(2_000, 4_000))).error())
                .isEqualTo(Errors.NONE);
        String before = quorum.image().configs().topicConfigs("orders").get(LEADER_REPLICAS);
        assertThat(before.length()).isBetween(20_000, Short.MAX_VALUE + 0);

        AlterConfigsResult tooLong = alter(ORDERS, op(ConfigOp.Kind.APPEND, LEADER_REPLICAS,
                throttledReplicas(4_000, 6_000)));

        assertThat(tooLong.error()).isEqualTo(Errors.INVALID_CONFIG);
        assertThat(tooLong.message()).isEqualTo("The configuration value cannot be added because it exceeds the"
                + " maximum value size of 32767 bytes.");
        assertThat(quorum.image().configs().topicConfigs("orders")).containsEntry(LEADER_REPLICAS, before);
        CreateTopicResult created = controller.createTopics(List.of(CreateTopicSpec.of("long", 1, 1)
                .withConfigs(Map.of(LEADER_REPLICAS, throttledReplicas(0, 6_000)))), false).join().get(0);
        assertThat(created.error()).isEqualTo(Errors.INVALID_CONFIG);
        assertThat(created.message()).isEqualTo(tooLong.message());
    }

    private static String throttledReplicas(int fromPartition, int toPartition) {
        StringBuilder list = new StringBuilder();
        for (int p = fromPartition; p < toPartition; p++) {
            list.append(list.length() == 0 ? "" : ",").append(p).append(":1");
        }
        return list.toString();
    }

    @Test
    void shouldReturnInvalidConfigWhenListOpOnNonListOrUnknownOrBadValue() {
        assertThat(alter(ORDERS, op(ConfigOp.Kind.APPEND, "retention.ms", "1")).error())
                .isEqualTo(Errors.INVALID_CONFIG);
        assertThat(alter(ORDERS, ConfigOp.set("no.such.config", "1")).error()).isEqualTo(Errors.INVALID_CONFIG);
        assertThat(alter(ORDERS, ConfigOp.set("segment.ms", "soon")).error()).isEqualTo(Errors.INVALID_CONFIG);
        assertThat(alter(ORDERS, ConfigOp.set(LEADER_REPLICAS, "0-1")).error()).isEqualTo(Errors.INVALID_CONFIG);
        assertThat(quorum.image().configs().topicConfigs("orders")).isEqualTo(Map.of("retention.ms", "100"));
    }

    @Test
    void shouldReturnUnknownTopicWhenTopicMissingAndInvalidRequestWhenNameEmpty() {
        ConfigResourceId missing = new ConfigResourceId(ConfigResourceType.TOPIC, "missing");
        assertThat(alter(missing, ConfigOp.set("segment.ms", "5000")).error())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        // As Kafka: the configs are validated before the topic's existence.
        assertThat(alter(missing, ConfigOp.set("segment.ms", "x")).error()).isEqualTo(Errors.INVALID_CONFIG);
        assertThat(alter(new ConfigResourceId(ConfigResourceType.TOPIC, ""), ConfigOp.set("segment.ms", "1"))
                .error()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(alter(new ConfigResourceId(ConfigResourceType.TOPIC, "a/b"), ConfigOp.set("segment.ms", "1"))
                .error()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
    }

    @Test
    void shouldSetBrokerAndDefaultThrottleRatesWhenValid() {
        assertThat(alter(BROKER_1, ConfigOp.set(DynamicBrokerConfigs.LEADER_REPLICATION_THROTTLED_RATE, "1000"))
                .error()).isEqualTo(Errors.NONE);
        assertThat(alter(DEFAULT_BROKER, ConfigOp.set(DynamicBrokerConfigs.FOLLOWER_REPLICATION_THROTTLED_RATE,
                "2000")).error()).isEqualTo(Errors.NONE);

        ConfigsImage configs = quorum.image().configs();
        assertThat(DynamicBrokerConfigs.effectiveLong(configs, 1,
                DynamicBrokerConfigs.LEADER_REPLICATION_THROTTLED_RATE)).isEqualTo(1000);
        assertThat(DynamicBrokerConfigs.effectiveLong(configs, 1,
                DynamicBrokerConfigs.FOLLOWER_REPLICATION_THROTTLED_RATE)).isEqualTo(2000);
        assertThat(DynamicBrokerConfigs.effectiveLong(configs, 2,
                DynamicBrokerConfigs.LEADER_REPLICATION_THROTTLED_RATE)).isEqualTo(Long.MAX_VALUE);

        alter(BROKER_1, ConfigOp.delete(DynamicBrokerConfigs.LEADER_REPLICATION_THROTTLED_RATE));
        assertThat(quorum.image().configs().brokerConfigs("1")).isEmpty();
    }

    @Test
    void shouldRejectBrokerConfigsThatAreNotDynamicOrInvalid() {
        assertThat(alter(BROKER_1, ConfigOp.set("log.retention.ms", "1")).error()).isEqualTo(Errors.INVALID_CONFIG);
        assertThat(alter(BROKER_1, ConfigOp.set(DynamicBrokerConfigs.LEADER_REPLICATION_THROTTLED_RATE, "-1"))
                .error()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(alter(BROKER_1, op(ConfigOp.Kind.APPEND, DynamicBrokerConfigs.LEADER_REPLICATION_THROTTLED_RATE,
                "1")).error()).isEqualTo(Errors.INVALID_CONFIG);
        assertThat(alter(new ConfigResourceId(ConfigResourceType.BROKER, "one"), ConfigOp.set(
                DynamicBrokerConfigs.LEADER_REPLICATION_THROTTLED_RATE, "1")).error())
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(alter(new ConfigResourceId(ConfigResourceType.BROKER, "-2"), ConfigOp.set(
                DynamicBrokerConfigs.LEADER_REPLICATION_THROTTLED_RATE, "1")).error())
                .isEqualTo(Errors.INVALID_REQUEST);
    }

    @Test
    void shouldReplaceAllConfigsWhenLegacyAlterConfigs() {
        Map<ConfigResourceId, Map<String, String>> configs = new LinkedHashMap<>();
        configs.put(ORDERS, Map.of("segment.ms", "7000"));
        configs.put(new ConfigResourceId(ConfigResourceType.TOPIC, "missing"), Map.of("segment.ms", "7000"));

        List<AlterConfigsResult> results = controller.alterConfigs(configs, false).join();

        assertThat(results).extracting(AlterConfigsResult::error)
                .containsExactly(Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(quorum.image().configs().topicConfigs("orders")).isEqualTo(Map.of("segment.ms", "7000"));
    }

    @Test
    void shouldKeepConfigDeletionWhenImageIsSnapshottedAndReloaded() {
        alter(ORDERS, ConfigOp.delete("retention.ms"), ConfigOp.set("segment.ms", "9000"));

        assertThat(quorum.image().configs().topicConfigs("orders")).isEqualTo(Map.of("segment.ms", "9000"));
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        quorum.image().toRecords().forEach(delta::replay);
        assertThat(delta.apply(0).configs()).isEqualTo(quorum.image().configs());
    }
}
