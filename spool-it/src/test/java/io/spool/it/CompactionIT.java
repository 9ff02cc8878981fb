package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log compaction with real clients: a compacted topic updated a million times over ten thousand keys is compacted
 * while the producer writes; afterwards a consumer from the beginning sees each key's latest value once, deleted
 * keys gone after delete.retention.ms, offsets increasing, and the disk holds about one record per key. A cleaning
 * cut by SIGKILL half way leaves a log that loads and compacts correctly on restart. And transaction markers go once
 * compaction has emptied their transactions, while a read_committed consumer still sees every key's committed value.
 */
class CompactionIT {
    private static final int KEYS = 10_000;
    private static final String PADDING = "x".repeat(40);
    private static final Duration AWAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;
    SpoolProcess spool;

    @AfterEach
    void stopSpool(TestInfo test) {
        if (spool != null) {
            spool.close();
            spool.keepLog("CompactionIT-" + test.getTestMethod().orElseThrow().getName());
        }
    }

    private static Map<String, String> serverSettings() {
        // Transaction markers go only below the producer snapshot at the recovery point, which is checkpointed once
        // a minute by default: negligible against a day of delete.retention.ms, not against the seconds used here.
        return Map.of("log.cleaner.backoff.ms", "200", "log.retention.check.interval.ms", "500",
            "log.cleaner.io.buffer.size", "4096", "log.flush.offset.checkpoint.interval.ms", "1000");
    }

    private static Map<String, String> compactedTopic() {
        return Map.of("cleanup.policy", "compact", "segment.bytes", "1048576", "segment.ms", "3000",
            "delete.retention.ms", "3000", "file.delete.delay.ms", "0", "min.cleanable.dirty.ratio", "0.01");
    }

    @Test
    void shouldKeepTheLatestValueOfEachKeyWhileTheProducerWrites() throws Exception {
        spool = SpoolProcess.start(dir, serverSettings());
        String topic = "latest-values";
        createTopic(topic, compactedTopic());

        Map<String, String> expected = new HashMap<>();
        long bytesWritten = produce(topic, 0, 1_000_000, expected);
        assertThat(spool.logText()).as("cleanings completed while the producer wrote")
            .contains("Cleaned " + topic + "-0");
        long deleted = 1_000;
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(spool.bootstrap(), Map.of())) {
            for (int k = 0; k < deleted; k++) {
                producer.send(new ProducerRecord<>(topic, key(k), null));
                expected.remove(new String(key(k), StandardCharsets.UTF_8));
            }
            producer.flush();
        }

        await().atMost(AWAIT).pollInterval(Duration.ofSeconds(1))
            .untilAsserted(() -> assertThat(readFromBeginning(spool.bootstrap(), topic)).isEqualTo(expected));
        assertThat(expected).hasSize(KEYS - (int) deleted);
        long onDisk = segmentBytes(spool.dataDir().resolve(topic + "-0"));
        assertThat(onDisk).as("bytes on disk after compaction, of %d written", bytesWritten)
            .isLessThan(bytesWritten / 50);
    }

    @Test
    void shouldRecoverAndCompactAfterACleaningIsKilledHalfWay() throws Exception {
        spool = SpoolProcess.start(dir, serverSettings());
        String topic = "killed-cleaning";
        Map<String, String> configs = new HashMap<>(compactedTopic());
        configs.put("min.compaction.lag.ms", "3600000");
        createTopic(topic, configs);
        Map<String, String> expected = new HashMap<>();
        produce(topic, 0, 300_000, expected);
        Path partition = spool.dataDir().resolve(topic + "-0");
        assertThat(spool.logText()).doesNotContain("Cleaned " + topic + "-0");

        // Lifting the lag starts the cleaning (a config change taking effect while running); kill it mid-way.
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                new ConfigEntry("min.compaction.lag.ms", "0"), AlterConfigOp.OpType.SET)))).all().get();
        }
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(1)).until(() -> hasStagedCleaning(partition));
        spool.kill();
        assertThat(hasStagedCleaning(partition)).as("the kill landed in the middle of a cleaning").isTrue();

        spool.restart();
        await().atMost(AWAIT).pollInterval(Duration.ofSeconds(1))
            .untilAsserted(() -> assertThat(readFromBeginning(spool.bootstrap(), topic)).isEqualTo(expected));
        assertThat(hasStagedCleaning(partition)).isFalse();
        produce(topic, 300_000, 10_000, expected);
        await().atMost(AWAIT).pollInterval(Duration.ofSeconds(1))
            .untilAsserted(() -> assertThat(readFromBeginning(spool.bootstrap(), topic)).isEqualTo(expected));
    }

    @Test
    void shouldRemoveTransactionMarkersOnceCompactionLeavesTheirTransactionsEmpty() throws Exception {
        spool = SpoolProcess.start(dir, serverSettings());
        String topic = "transactional-compacted";
        createTopic(topic, compactedTopic());
        Path partition = spool.dataDir().resolve(topic + "-0");
        Map<String, String> expected = new HashMap<>();
        int transactions = 1_000;
        int keys = 100;
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(spool.bootstrap(),
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "compacted-writer"))) {
            producer.initTransactions();
            for (int t = 0; t < transactions; t++) {
                writeTransaction(producer, topic, t, keys, t % 10 == 9, expected);
            }
            // Each transaction wrote every key again, so compaction leaves the earlier ones without data, and their
            // markers (some 78 bytes each) go delete.retention.ms later. A trickle of one-record transactions keeps
            // the cleaner coming back; kept for ever, the markers alone would fill several times the bound below.
            long markerBytes = transactions * 78L;
            int[] next = {transactions};
            await().atMost(AWAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                writeTransaction(producer, topic, next[0]++, 1, false, expected);
                return segmentBytes(partition) < markerBytes / 5;
            });
        }

        await().atMost(AWAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(
            readFromBeginning(spool.bootstrap(), topic, Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"))).isEqualTo(expected));
    }

    /** One transaction writing value {@code t} to keys 0 to {@code keys - 1}; an aborted one changes nothing. */
    private static void writeTransaction(KafkaProducer<byte[], byte[]> producer, String topic, int t, int keys,
            boolean abort, Map<String, String> expected) {
        producer.beginTransaction();
        for (int k = 0; k < keys; k++) {
            producer.send(new ProducerRecord<>(topic, key(k), ("t" + t).getBytes(StandardCharsets.UTF_8)));
        }
        if (abort) {
            producer.abortTransaction();
            return;
        }
        producer.commitTransaction();
        for (int k = 0; k < keys; k++) {
            expected.put(new String(key(k), StandardCharsets.UTF_8), "t" + t);
        }
    }

    private void createTopic(String topic, Map<String, String> configs) throws Exception {
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs))).all().get();
        }
    }

    private static byte[] key(int k) {
        return String.format("key-%05d", k).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Sends updates {@code from} to {@code from + count - 1} round robin over the keys, records each key's latest
     * value in {@code expected} and returns the bytes of keys and values written; every send must be acknowledged.
     */
    private long produce(String topic, int from, int count, Map<String, String> expected) throws Exception {
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong bytes = new AtomicLong();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(spool.bootstrap(),
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 65536))) {
            for (int i = from; i < from + count; i++) {
                byte[] key = key(i % KEYS);
                String value = "v" + i + PADDING;
                expected.put(new String(key, StandardCharsets.UTF_8), value);
                byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
                bytes.addAndGet(key.length + valueBytes.length);
                producer.send(new ProducerRecord<>(topic, key, valueBytes), (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        assertThat(failure.get()).isNull();
        return bytes.get();
    }

    /**
     * Reads the partition from its start to its end and returns each key's last value (a tombstone removes the key),
     * asserting on the way that offsets only increase, that no key appears twice and that no tombstone is left (the
     * log is fully compacted).
     */
    static Map<String, String> readFromBeginning(String bootstrap, String topic) {
        return readFromBeginning(bootstrap, topic, Map.of());
    }

    /** As {@link #readFromBeginning(String, String)}, with a consumer with {@code consumerConfigs}. */
    static Map<String, String> readFromBeginning(String bootstrap, String topic, Map<String, Object> consumerConfigs) {
        TopicPartition tp = new TopicPartition(topic, 0);
        Map<String, String> latest = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        int tombstones = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, consumerConfigs)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long last = -1;
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    assertThat(r.offset()).isGreaterThan(last);
                    last = r.offset();
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    seen.merge(key, 1, Integer::sum);
                    if (r.value() == null) {
                        tombstones++;
                        latest.remove(key);
                    } else {
                        latest.put(key, new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        assertThat(seen.values()).as("each key once: the log is fully compacted").allMatch(n -> n == 1);
        assertThat(tombstones).as("tombstones removed after delete.retention.ms").isZero();
        return latest;
    }

    private static boolean hasStagedCleaning(Path partition) {
        try (Stream<Path> files = Files.list(partition)) {
            return files.map(p -> p.getFileName().toString())
                .anyMatch(n -> n.endsWith(".cleaned") || n.endsWith(".swap"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long segmentBytes(Path partition) throws IOException {
        try (Stream<Path> files = Files.list(partition)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log")).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }
}
