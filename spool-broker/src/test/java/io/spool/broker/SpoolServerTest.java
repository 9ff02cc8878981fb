package io.spool.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DeletedRecords;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node started in-process, driven by the real Java clients: admin errors, auto-create, offsets, long poll. */
class SpoolServerTest {
    @TempDir
    static Path dir;
    static SpoolServer server;
    static String bootstrap;
    static Admin admin;

    @BeforeAll
    static void start() throws IOException {
        int port = freePort();
        server = SpoolServer.start(ServerConfig.parse(Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + freePort(),
                "log.dirs", dir.toString(), "num.partitions", "3")));
        bootstrap = "127.0.0.1:" + server.boundPort("PLAINTEXT");
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldAnswerKafkaErrorsWhenCreateTopicsIsInvalid() throws Exception {
        admin.createTopics(List.of(new NewTopic("exists", 1, (short) 1))).all().get();
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("exists", 1, (short) 1))).all().get())
                .hasCauseInstanceOf(TopicExistsException.class);
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("zero", 0, (short) 1))).all().get())
                .hasCauseInstanceOf(InvalidPartitionsException.class);
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("rf", 1, (short) 3))).all().get())
                .hasCauseInstanceOf(InvalidReplicationFactorException.class);
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("cfg", 1, (short) 1)
                .configs(Map.of("retention.ms", "soon")))).all().get())
                .hasCauseInstanceOf(InvalidConfigurationException.class);
        assertThatThrownBy(() -> admin.deleteTopics(List.of("never-created")).all().get())
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void shouldRefuseCleanupPolicyWithAnEmptyItem() {
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("empty-item", 1, (short) 1)
                .configs(Map.of("cleanup.policy", "delete,")))).all().get())
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Configuration 'cleanup.policy' values must not be empty.");
    }

    @Test
    void shouldAnswerUnsupportedCompressionTypeWhenProduceBeforeV7CarriesZstd() throws Exception {
        admin.createTopics(List.of(new NewTopic("zstd-old", 1, (short) 1))).all().get();
        MemoryRecords zstd = MemoryRecords.withRecords(Compression.zstd().build(), new SimpleRecord(bytes("v")));

        assertThat(Errors.forCode(rawProduce((short) 6, "zstd-old", zstd).errorCode()))
                .isEqualTo(Errors.UNSUPPORTED_COMPRESSION_TYPE);
        assertThat(Errors.forCode(rawProduce((short) 7, "zstd-old", zstd).errorCode())).isEqualTo(Errors.NONE);
    }

    /** One Produce of {@code records} to partition 0 at {@code version}, which the Java producer would not send. */
    private static PartitionProduceResponse rawProduce(short version, String topic, MemoryRecords records)
            throws IOException {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(10_000);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic));
        data.topicData().iterator().next().partitionData().add(new ProduceRequestData.PartitionProduceData()
                .setIndex(0).setRecords(records));
        RequestHeader header = new RequestHeader(ApiKeys.PRODUCE, version, "raw", 1);
        ByteBuffer request = new ProduceRequest(data, version).serializeWithHeader(header);
        try (Socket socket = new Socket("127.0.0.1", server.boundPort("PLAINTEXT"))) {
            OutputStream out = socket.getOutputStream();
            out.write(ByteBuffer.allocate(4).putInt(request.remaining()).array());
            out.write(request.array(), request.arrayOffset() + request.position(), request.remaining());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] response = new byte[in.readInt()];
            in.readFully(response);
            ProduceResponse parsed = (ProduceResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(response),
                    header);
            return parsed.data().responses().iterator().next().partitionResponses().get(0);
        }
    }

    @Test
    void shouldNotCreateTopicWhenValidateOnly() throws Exception {
        admin.createTopics(List.of(new NewTopic("validated", 2, (short) 1)),
                new CreateTopicsOptions().validateOnly(true)).all().get();
        assertThat(admin.listTopics().names().get()).doesNotContain("validated");
    }

    @Test
    void shouldReportTopicOverrideAndDefaultsWhenDescribingConfigs() throws Exception {
        admin.createTopics(List.of(new NewTopic("described", 1, (short) 1)
                .configs(Map.of("retention.ms", "3600000")))).all().get();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "described");
        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        assertThat(config.get("retention.ms").value()).isEqualTo("3600000");
        assertThat(config.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(config.get("segment.bytes").value()).isEqualTo("1073741824");
        assertThat(config.get("segment.bytes").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        ConfigResource brokerResource = new ConfigResource(ConfigResource.Type.BROKER, "1");
        Config broker = admin.describeConfigs(List.of(brokerResource)).all().get().get(brokerResource);
        assertThat(broker.get("num.partitions").value()).isEqualTo("3");
        assertThat(broker.get("num.partitions").source())
                .isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
    }

    @Test
    void shouldAutoCreateTopicWithDefaultPartitionsWhenProducerWritesToUnknownTopic() throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>("auto-created", "k", "v")).get();
        }
        assertThat(admin.describeTopics(List.of("auto-created")).allTopicNames().get().get("auto-created")
                .partitions()).hasSize(3);
    }

    @Test
    void shouldListOffsetsByPositionAndTimestamp() throws Exception {
        admin.createTopics(List.of(new NewTopic("timed", 1, (short) 1))).all().get();
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("timed", 0, 1_000L * (i + 1), "k", "v" + i)).get();
            }
        }
        TopicPartition tp = new TopicPartition("timed", 0);
        assertThat(offset(tp, OffsetSpec.earliest()).offset()).isZero();
        assertThat(offset(tp, OffsetSpec.latest()).offset()).isEqualTo(10);
        assertThat(offset(tp, OffsetSpec.forTimestamp(4_500)).offset()).isEqualTo(4);
        assertThat(offset(tp, OffsetSpec.forTimestamp(99_000)).offset()).isEqualTo(-1);
        ListOffsetsResultInfo max = offset(tp, OffsetSpec.maxTimestamp());
        assertThat(max.offset()).isEqualTo(9);
        assertThat(max.timestamp()).isEqualTo(10_000L);
    }

    @Test
    void shouldMoveEarliestOffsetWhenRecordsDeletedAndAnswerKafkaErrors() throws Exception {
        admin.createTopics(List.of(new NewTopic("trimmed", 1, (short) 1),
                new NewTopic("compacted", 1, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("trimmed", 0, "k", "v" + i)).get();
            }
        }
        TopicPartition tp = new TopicPartition("trimmed", 0);

        DeletedRecords deleted = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4))).lowWatermarks()
                .get(tp).get();

        assertThat(deleted.lowWatermark()).isEqualTo(4);
        assertThat(offset(tp, OffsetSpec.earliest()).offset()).isEqualTo(4);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 1);
            ConsumerRecords<String, String> records = ConsumerRecords.empty();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (records.isEmpty() && System.nanoTime() < deadline) {
                records = consumer.poll(Duration.ofMillis(500));
            }
            assertThat(records.iterator().next().offset()).as("out of range below the start: reset to it")
                    .isEqualTo(4);
        }
        assertThat(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(-1))).lowWatermarks().get(tp).get()
                .lowWatermark()).as("-1 is the high watermark").isEqualTo(10);
        assertThatThrownBy(() -> admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(11))).all().get())
                .hasCauseInstanceOf(OffsetOutOfRangeException.class);
        TopicPartition compacted = new TopicPartition("compacted", 0);
        assertThatThrownBy(() -> admin.deleteRecords(Map.of(compacted, RecordsToDelete.beforeOffset(0))).all()
                .get()).hasCauseInstanceOf(PolicyViolationException.class);
    }

    @Test
    void shouldAnswerWaitingFetchWhenRecordArrivesBeforeMaxWait() throws Exception {
        admin.createTopics(List.of(new NewTopic("long-poll", 1, (short) 1))).all().get();
        TopicPartition tp = new TopicPartition("long-poll", 0);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 30_000,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertThat(consumer.poll(Duration.ofMillis(500))).isEmpty();
            Future<?> send = executor.submit(() -> {
                try (KafkaProducer<String, String> producer = producer()) {
                    producer.send(new ProducerRecord<>("long-poll", "k", "wake up")).get();
                }
                return null;
            });
            long start = System.nanoTime();
            ConsumerRecords<String, String> records = ConsumerRecords.empty();
            while (records.isEmpty() && System.nanoTime() - start < Duration.ofSeconds(20).toNanos()) {
                records = consumer.poll(Duration.ofSeconds(20));
            }
            send.get();
            assertThat(records.count()).isEqualTo(1);
            assertThat(records.iterator().next().value()).isEqualTo("wake up");
            // With a 30 s max wait, getting the record this soon means the write woke the waiting fetch.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        } finally {
            executor.shutdownNow();
        }
    }

    private static ListOffsetsResultInfo offset(TopicPartition tp, OffsetSpec spec)
            throws ExecutionException, InterruptedException {
        return admin.listOffsets(Map.of(tp, spec)).partitionResult(tp).get();
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
