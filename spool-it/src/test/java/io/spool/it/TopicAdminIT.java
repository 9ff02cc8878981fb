package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Topic administration through a real kafka-clients Admin (and the {@code spool} CLI as a separate process) against
 * a real node: the errors Kafka 4.x returns for invalid CreatePartitions, CreateTopics and config changes,
 * validate-only changing nothing, the node serving on after each refusal, added partitions used by producers and
 * consumers, and altered configs shown with their source, applied at once and kept over a restart.
 */
class TopicAdminIT {
    private static final Duration SOON = Duration.ofSeconds(15);

    @TempDir
    static Path dir;
    static SpoolProcess spool;
    static SpoolCommand spoolCli;

    @BeforeAll
    static void startSpool() {
        spool = SpoolProcess.start(dir.resolve("node"));
        spoolCli = new SpoolCommand(dir.resolve("cli"), spool.bootstrap());
    }

    @AfterAll
    static void stopSpool() {
        if (spool != null) {
            spool.keepLog("TopicAdminIT");
            spool.close();
        }
    }

    @Test
    void shouldRefuseInvalidPartitionIncreasesWithKafkasErrorsAndKeepServing() throws Exception {
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            create(admin, new NewTopic("grow-bad", 3, (short) 1));

            assertRefused(admin, "grow-bad", NewPartitions.increaseTo(2), InvalidPartitionsException.class,
                    "The topic grow-bad currently has 3 partition(s); 2 would not be an increase.");
            assertRefused(admin, "grow-bad", NewPartitions.increaseTo(3), InvalidPartitionsException.class,
                    "Topic already has 3 partition(s).");
            assertRefused(admin, "grow-missing", NewPartitions.increaseTo(4),
                    UnknownTopicOrPartitionException.class, null);
            assertRefused(admin, "grow-bad", NewPartitions.increaseTo(5, List.of(List.of(1))),
                    InvalidReplicaAssignmentException.class,
                    "Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.");
            assertRefused(admin, "grow-bad", NewPartitions.increaseTo(4, List.of(List.of(7))),
                    InvalidReplicaAssignmentException.class,
                    "The manual partition assignment includes broker 7, but no such broker is registered.");
            assertRefused(admin, "grow-bad", NewPartitions.increaseTo(4, List.of(List.of(1, 1))),
                    InvalidReplicaAssignmentException.class,
                    "The manual partition assignment includes the broker 1 more than once.");
            assertRefused(admin, "grow-bad", NewPartitions.increaseTo(4, List.of(List.of())),
                    InvalidReplicaAssignmentException.class,
                    "The manual partition assignment includes an empty replica list.");
            assertRefused(admin, "grow-bad", NewPartitions.increaseTo(3 + 10_001), PolicyViolationException.class,
                    "Excessively large number of additional partitions per request.");

            assertThat(partitionCount(admin, "grow-bad")).isEqualTo(3);
            assertServing("grow-bad", 2);
        }
    }

    @Test
    void shouldChangeNothingWhenValidateOnly() throws Exception {
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            admin.createTopics(List.of(new NewTopic("validated-only", 2, (short) 1)),
                    new CreateTopicsOptions().validateOnly(true)).all().get();
            assertThat(admin.listTopics().names().get()).doesNotContain("validated-only");

            create(admin, new NewTopic("validate", 2, (short) 1).configs(Map.of("retention.ms", "60000")));
            admin.createPartitions(Map.of("validate", NewPartitions.increaseTo(6)),
                    new CreatePartitionsOptions().validateOnly(true)).all().get();
            ConfigResource resource = topicResource("validate");
            admin.incrementalAlterConfigs(Map.of(resource, List.of(set("retention.ms", "1000"))),
                    new AlterConfigsOptions().validateOnly(true)).all().get();
            assertThat(legacyAlterConfigs("validate", Map.of("segment.ms", "1000"), true)).isEqualTo(Errors.NONE);

            assertThat(partitionCount(admin, "validate")).isEqualTo(2);
            Config config = describeConfig(admin, "validate");
            assertThat(config.get("retention.ms").value()).isEqualTo("60000");
            assertThat(config.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            assertThat(config.get("segment.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        }
    }

    @Test
    void shouldRefuseUnknownConfigsAndInvalidValuesAndKeepServing() throws Exception {
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            assertCreateRefused(admin, new NewTopic("bad-config", 1, (short) 1)
                    .configs(Map.of("no.such.config", "1")));
            assertCreateRefused(admin, new NewTopic("bad-value", 1, (short) 1)
                    .configs(Map.of("retention.ms", "soon")));
            assertCreateRefused(admin, new NewTopic("bad-choice", 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "shred")));
            assertThat(admin.listTopics().names().get()).doesNotContain("bad-config", "bad-value", "bad-choice");

            create(admin, new NewTopic("configs-bad", 1, (short) 1));
            ConfigResource resource = topicResource("configs-bad");
            assertAlterRefused(admin, resource, set("no.such.config", "1"));
            assertAlterRefused(admin, resource, set("retention.ms", "soon"));
            assertAlterRefused(admin, resource, set("max.message.bytes", "-5"));
            assertThat(legacyAlterConfigs("configs-bad", Map.of("no.such.config", "1"), false))
                    .isEqualTo(Errors.INVALID_CONFIG);
            assertThat(legacyAlterConfigs("configs-bad", Map.of("retention.ms", "soon"), false))
                    .isEqualTo(Errors.INVALID_CONFIG);

            Config config = describeConfig(admin, "configs-bad");
            assertThat(config.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
            assertThat(config.get("no.such.config")).isNull();
            assertServing("configs-bad", 0);
        }
    }

    /**
     * Thousands of topics with their configs in one request: more metadata than one entry of the metadata log may
     * hold. Kafka refuses such an operation with POLICY_VIOLATION and keeps its controller; so does Spool, and the
     * very next request is served by the same controller.
     */
    @Test
    void shouldRefuseAnExcessivelyLargeOperationAndKeepServing() throws Exception {
        Map<String, String> configs = new HashMap<>();
        for (String name : List.of("retention.ms", "segment.ms", "delete.retention.ms", "file.delete.delay.ms",
                "flush.messages", "flush.ms", "index.interval.bytes", "max.compaction.lag.ms", "segment.bytes")) {
            configs.put(name, "123456789");
        }
        List<NewTopic> topics = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            topics.add(new NewTopic("huge-" + "x".repeat(230) + i, 1, (short) 1).configs(configs));
        }
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            assertThatThrownBy(() -> admin.createTopics(topics).all().get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(PolicyViolationException.class)
                    .cause().hasMessage("Unable to perform excessively large batch operation.");
            assertThat(admin.listTopics().names().get()).noneMatch(name -> name.startsWith("huge-"));

            create(admin, new NewTopic("after-huge", 1, (short) 1));
            assertServing("after-huge", 0);
        }
    }

    @Test
    void shouldLetProducersAndConsumersUseAddedPartitions() throws Exception {
        String topic = "grown";
        try (Admin admin = Clients.admin(spool.bootstrap());
                KafkaProducer<byte[], byte[]> producer = Clients.producer(spool.bootstrap(),
                        Map.of("metadata.max.age.ms", "500"));
                KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(spool.bootstrap(), Map.of())) {
            create(admin, new NewTopic(topic, 1, (short) 1));
            producer.send(new ProducerRecord<>(topic, bytes("before"))).get();
            assertThat(producer.partitionsFor(topic)).hasSize(1);

            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all().get();

            assertThat(partitionCount(admin, topic)).isEqualTo(3);
            // The producer waits for metadata naming partition 2, which its refreshes must bring.
            RecordMetadata sent = producer.send(new ProducerRecord<>(topic, 2, null, bytes("after"))).get();
            assertThat(sent.partition()).isEqualTo(2);
            assertThat(sent.offset()).isZero();
            await().atMost(SOON).until(() -> producer.partitionsFor(topic).size() == 3);

            List<TopicPartition> all = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1),
                    new TopicPartition(topic, 2));
            consumer.assign(all);
            List<ConsumerRecord<byte[], byte[]>> records = pollUntil(consumer, 2);
            assertThat(records).extracting(r -> r.partition() + ":" + r.offset() + ":" + text(r.value()))
                    .containsExactlyInAnyOrder("0:0:before", "2:0:after");
        }
    }

    @Test
    void shouldApplyAlteredConfigsAtOnceShowTheirSourceAndKeepThemOverARestart() throws Exception {
        String topic = "altered";
        try (Admin admin = Clients.admin(spool.bootstrap());
                KafkaProducer<byte[], byte[]> producer = Clients.producer(spool.bootstrap(), Map.of());
                KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(spool.bootstrap(), Map.of())) {
            create(admin, new NewTopic(topic, 1, (short) 1));
            byte[] big = new byte[4096];
            producer.send(new ProducerRecord<>(topic, big)).get();

            admin.incrementalAlterConfigs(Map.of(topicResource(topic), List.of(set("max.message.bytes", "1024"),
                    set("message.timestamp.type", "LogAppendTime")))).all().get();

            await().atMost(SOON).untilAsserted(() -> assertThatThrownBy(
                    () -> producer.send(new ProducerRecord<>(topic, big)).get())
                    .hasCauseInstanceOf(RecordTooLargeException.class));
            long before = System.currentTimeMillis();
            producer.send(new ProducerRecord<>(topic, 0, 1000L, null, bytes("stamped"))).get();
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            ConsumerRecord<byte[], byte[]> stamped = pollUntil(consumer, 2).stream()
                    .filter(r -> text(r.value()).equals("stamped")).findFirst().orElseThrow();
            assertThat(stamped.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
            assertThat(stamped.timestamp()).isGreaterThanOrEqualTo(before - 1000);
        }

        ExternalCommand.Result altered = spoolCli.client("topic", "alter", "--topic", topic, "--partitions", "2",
                "--config", "retention.ms=3600000", "--delete-config", "max.message.bytes");
        assertThat(altered.exitCode()).as(altered.describe()).isZero();
        assertThat(altered.stdoutLines()).containsExactly(
                "Increased the partitions of topic " + topic + " to 2.",
                "Altered the configs of topic " + topic + ": set retention.ms=3600000, deleted max.message.bytes.");
        ExternalCommand.Result refused = spoolCli.client("topic", "alter", topic, "--partitions", "1");
        assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(1);
        assertThat(refused.stderr().strip()).isEqualTo("Cannot add partitions to topic " + topic
                + ": INVALID_PARTITIONS: The topic " + topic + " currently has 2 partition(s); 1 would not be an "
                + "increase.");

        assertAlteredConfigs(topic);
        ExternalCommand.Result described = spoolCli.client("topic", "describe", topic);
        assertThat(described.exitCode()).as(described.describe()).isZero();
        assertThat(described.stdoutLines().get(0)).contains("PartitionCount: 2")
                .contains("message.timestamp.type=LogAppendTime (DYNAMIC_TOPIC_CONFIG)")
                .contains("retention.ms=3600000 (DYNAMIC_TOPIC_CONFIG)").doesNotContain("max.message.bytes");

        spool.stop();
        spool.restart();

        assertAlteredConfigs(topic);
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            assertThat(partitionCount(admin, topic)).isEqualTo(2);
        }
    }

    private static void assertAlteredConfigs(String topic) throws Exception {
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            Config config = describeConfig(admin, topic);
            assertThat(config.get("retention.ms").value()).isEqualTo("3600000");
            assertThat(config.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            assertThat(config.get("message.timestamp.type").value()).isEqualTo("LogAppendTime");
            assertThat(config.get("message.timestamp.type").source())
                    .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            assertThat(config.get("max.message.bytes").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        }
    }

    /**
     * AlterConfigs (API 33) of one topic, sent on the wire: kafka-clients 4.x's Admin no longer has
     * {@code alterConfigs}, but other clients (librdkafka, older Java clients) still send it.
     */
    private static Errors legacyAlterConfigs(String topic, Map<String, String> configs, boolean validateOnly) {
        AlterConfigsRequestData.AlterConfigsResource resource = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(topic);
        configs.forEach((name, value) -> resource.configs().add(
                new AlterConfigsRequestData.AlterableConfig().setName(name).setValue(value)));
        AlterConfigsRequestData request = new AlterConfigsRequestData().setValidateOnly(validateOnly);
        request.resources().add(resource);
        try (WireConnection connection = WireConnection.open(spool.port(), SOON)) {
            AlterConfigsResponseData response = connection.request(ApiKeys.ALTER_CONFIGS, (short) 2, 1, request);
            assertThat(response.responses()).hasSize(1);
            return Errors.forCode(response.responses().get(0).errorCode());
        }
    }

    private static void create(Admin admin, NewTopic topic) throws Exception {
        admin.createTopics(List.of(topic)).all().get();
    }

    private static void assertRefused(Admin admin, String topic, NewPartitions increase,
            Class<? extends Exception> error, String message) {
        var thrown = assertThatThrownBy(() -> admin.createPartitions(Map.of(topic, increase)).all().get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(error);
        if (message != null) {
            thrown.cause().hasMessage(message);
        }
    }

    private static void assertCreateRefused(Admin admin, NewTopic topic) {
        assertThatThrownBy(() -> admin.createTopics(List.of(topic)).all().get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidConfigurationException.class);
    }

    private static void assertAlterRefused(Admin admin, ConfigResource resource, AlterConfigOp op) {
        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(resource, List.of(op))).all().get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidConfigurationException.class);
    }

    /** The node still takes a record for, and hands it back from, this partition. */
    private static void assertServing(String topic, int partition) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(spool.bootstrap(), Map.of());
                KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(spool.bootstrap(), Map.of())) {
            RecordMetadata sent = producer.send(new ProducerRecord<>(topic, partition, null, bytes("alive"))).get();
            TopicPartition tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            consumer.seek(tp, sent.offset());
            assertThat(pollUntil(consumer, 1)).extracting(r -> text(r.value())).containsExactly("alive");
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> pollUntil(KafkaConsumer<byte[], byte[]> consumer,
            int count) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        await().atMost(SOON).until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            return records.size() >= count;
        });
        return records;
    }

    private static int partitionCount(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
                .partitions().size();
    }

    private static Config describeConfig(Admin admin, String topic) throws Exception {
        return admin.describeConfigs(List.of(topicResource(topic))).all().get(10, TimeUnit.SECONDS)
                .get(topicResource(topic));
    }

    private static ConfigResource topicResource(String topic) {
        return new ConfigResource(ConfigResource.Type.TOPIC, topic);
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
