package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Old data leaves a running node as a user asks: retention by time and by size, altered on a live topic, delete
 * whole old segments and ListOffsets earliest follows; DeleteRecords moves the earliest offset, consumers start
 * there, and it survives a crash of the node; a topic's compression.type is what lands on disk. One node with 16 KiB
 * segments (broker {@code log.segment.bytes}; a topic's {@code segment.bytes} may not go below 1 MiB) and retention
 * checked every 200 ms.
 */
class RetentionIT {
    private static final int SEGMENT_BYTES = 16 * 1024;
    private static final int VALUE_BYTES = 500;
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    static SpoolProcess spool;
    static Admin admin;

    @BeforeAll
    static void startSpool() {
        spool = SpoolProcess.start(dir, Map.of("log.segment.bytes", Integer.toString(SEGMENT_BYTES),
                "log.retention.check.interval.ms", "200", "log.segment.delete.delay.ms", "500"));
        admin = Clients.admin(spool.bootstrap());
    }

    @AfterAll
    static void stopSpool() {
        if (admin != null) {
            admin.close();
        }
        if (spool != null) {
            spool.keepLog("retention");
            spool.close();
        }
    }

    @Test
    void shouldDeleteWholeOldSegmentsByTimeThenBySizeWhenRetentionIsAlteredWhileRunning() throws Exception {
        String topic = "retained";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(topic, Map.of());
        long now = System.currentTimeMillis();
        produce(topic, 0, 400, now - 2 * 3600_000L, Map.of());
        produce(topic, 400, 600, now, Map.of());
        int segments = segmentFiles(topic).size();
        assertThat(segments).as("16 KiB segments").isGreaterThan(20);
        assertThat(earliest(tp)).isZero();

        alter(topic, "retention.ms", "3600000");

        await().atMost(PATIENCE).until(() -> earliest(tp) > 0);
        long afterTime = earliest(tp);
        assertThat(afterTime).as("only segments whose records are all older than an hour go").isLessThanOrEqualTo(400);
        assertThat(firstSegmentBase(topic)).as("whole segments: the first one left starts at the earliest offset")
                .isEqualTo(afterTime);
        assertThat(segmentFiles(topic).size()).isLessThan(segments);
        assertThat(firstOffsetReadFromBeginning(tp)).isEqualTo(afterTime);
        assertThat(latest(tp)).isEqualTo(1000);

        alter(topic, "retention.bytes", "100000");

        await().atMost(PATIENCE).until(() -> logBytes(topic) <= 100_000 + SEGMENT_BYTES);
        await().atMost(PATIENCE).until(() -> earliest(tp) == firstSegmentBase(topic));
        long afterSize = earliest(tp);
        assertThat(afterSize).isGreaterThan(afterTime);
        assertThat(logBytes(topic)).as("no more deleted than the limit asks").isGreaterThan(100_000 - SEGMENT_BYTES);
        assertThat(firstOffsetReadFromBeginning(tp)).isEqualTo(afterSize);
        assertThat(latest(tp)).isEqualTo(1000);
    }

    @Test
    void shouldStartConsumersAtDeletedRecordsOffsetAlsoAfterACrash() throws Exception {
        String topic = "trimmed";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(topic, Map.of());
        produce(topic, 0, 1000, System.currentTimeMillis(), Map.of());
        int segments = segmentFiles(topic).size();

        long lowWatermark = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(600))).lowWatermarks()
                .get(tp).get(30, TimeUnit.SECONDS).lowWatermark();

        assertThat(lowWatermark).isEqualTo(600);
        assertThat(earliest(tp)).isEqualTo(600);
        assertThat(firstOffsetReadFromBeginning(tp)).isEqualTo(600);
        await().atMost(PATIENCE).until(() -> segmentFiles(topic).size() < segments);
        assertThat(firstSegmentBase(topic)).as("the segment holding 600 stays").isLessThanOrEqualTo(600);

        spool.kill();
        spool.restart();

        assertThat(earliest(tp)).isEqualTo(600);
        assertThat(latest(tp)).isEqualTo(1000);
        assertThat(firstOffsetReadFromBeginning(tp)).isEqualTo(600);
    }

    @Test
    void shouldStoreBatchesInTheTopicCodecWhateverTheProducerUsed() throws Exception {
        String topic = "lz4-topic";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(topic, Map.of("compression.type", "lz4"));

        produce(topic, 0, 100, System.currentTimeMillis(), Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip"));
        produce(topic, 100, 100, System.currentTimeMillis(), Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"));
        assertThat(storedCodecs(topic)).containsOnly(CompressionType.LZ4);

        alter(topic, "compression.type", "zstd");
        produce(topic, 200, 50, System.currentTimeMillis(), Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"));

        List<CompressionType> codecs = storedCodecs(topic);
        assertThat(codecs.get(0)).isEqualTo(CompressionType.LZ4);
        assertThat(codecs.get(codecs.size() - 1)).as("the altered codec applies to new appends, no restart")
                .isEqualTo(CompressionType.ZSTD);
        List<ConsumerRecord<byte[], byte[]>> records = readAll(tp, 250);
        for (int i = 0; i < 250; i++) {
            assertThat(records.get(i).offset()).isEqualTo(i);
            assertThat(records.get(i).key()).isEqualTo(key(i));
            assertThat(records.get(i).value()).isEqualTo(value(i));
        }
    }

    private static void createTopic(String topic, Map<String, String> configs) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs))).all()
                .get(30, TimeUnit.SECONDS);
    }

    private static void alter(String topic, String name, String value) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(name, value),
                AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
    }

    /** Produces records {@code first .. first+count-1} to partition 0 with the given timestamp, all acknowledged. */
    private static void produce(String topic, int first, int count, long timestamp, Map<String, Object> extra)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(spool.bootstrap(), extra)) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (int i = first; i < first + count; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, 0, timestamp, key(i), value(i))));
            }
            for (java.util.concurrent.Future<?> ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static long earliest(TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get(30, TimeUnit.SECONDS)
                .offset();
    }

    private static long latest(TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get(30, TimeUnit.SECONDS)
                .offset();
    }

    /** The offset of the first record a consumer reads after seeking to the beginning. */
    private static long firstOffsetReadFromBeginning(TopicPartition tp) {
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(spool.bootstrap(), Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<byte[], byte[]>> first = new ArrayList<>();
            await().atMost(PATIENCE).until(() -> {
                consumer.poll(Duration.ofMillis(200)).records(tp).stream().limit(1).forEach(first::add);
                return !first.isEmpty();
            });
            return first.get(0).offset();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(TopicPartition tp, int expected) {
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(spool.bootstrap(), Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
            await().atMost(PATIENCE).until(() -> {
                all.addAll(consumer.poll(Duration.ofMillis(200)).records(tp));
                return all.size() >= expected;
            });
            assertThat(all).hasSize(expected);
            return all;
        }
    }

    private static Path partitionDir(String topic) {
        return spool.dataDir().resolve(topic + "-0");
    }

    /** The live segment files (not those renamed for deletion), oldest first. */
    private static List<Path> segmentFiles(String topic) {
        try (Stream<Path> files = Files.list(partitionDir(topic))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long firstSegmentBase(String topic) {
        String name = segmentFiles(topic).get(0).getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - ".log".length()));
    }

    private static long logBytes(String topic) throws IOException {
        long total = 0;
        for (Path file : segmentFiles(topic)) {
            total += Files.size(file);
        }
        return total;
    }

    /** The codec of every batch in the partition's segment files, as stored on disk, oldest first. */
    private static List<CompressionType> storedCodecs(String topic) throws IOException {
        List<CompressionType> codecs = new ArrayList<>();
        for (Path file : segmentFiles(topic)) {
            MemoryRecords records = MemoryRecords.readableRecords(ByteBuffer.wrap(Files.readAllBytes(file)));
            for (RecordBatch batch : records.batches()) {
                assertThat(batch.isValid()).isTrue();
                codecs.add(batch.compressionType());
            }
        }
        assertThat(codecs).isNotEmpty();
        return codecs;
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i) {
        return (i + "-" + "v".repeat(VALUE_BYTES)).getBytes(StandardCharsets.UTF_8);
    }
}
