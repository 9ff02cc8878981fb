package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes with a real idempotent producer: SIGKILL the node while an acks=all producer writes, restart it on the
 * same ports and data, and let the same producer instance retry its in-flight batches. Then every acknowledged
 * record is in the log exactly once, at the offset it was acknowledged with; offsets are dense; nothing is
 * duplicated by the retries; each partition holds its records in send order. And a kill right after a burst with
 * nothing in flight loses nothing: the log end offsets after recovery equal the acknowledged counts.
 */
class CrashRecoveryIT {
    private static final int PARTITIONS = 3;
    private static final int UNDER_LOAD_RECORDS = 16_000;
    private static final Duration AWAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    SpoolProcess spool;

    @AfterEach
    void stopSpool(TestInfo test) {
        if (spool != null) {
            spool.close();
            spool.keepLog("CrashRecoveryIT-" + test.getTestMethod().orElseThrow().getName());
        }
    }

    @Test
    void shouldKeepEveryAcknowledgedRecordExactlyOnceWhenKilledUnderLoad() throws Exception {
        spool = SpoolProcess.start(dir);
        createTopic("crash-under-load");
        produceWhileKilling("crash-under-load");
    }

    /**
     * Writes {@link #UNDER_LOAD_RECORDS} records with one idempotent producer from a background thread, kills the
     * node twice (once a quarter of them more are acknowledged since it started) and restarts it, lets the same
     * producer finish, and checks the log against every acknowledgement.
     */
    private void produceWhileKilling(String topic) throws Exception {
        int total = UNDER_LOAD_RECORDS;
        int kills = 2;
        // The sender may not send its last records before the last kill, so every kill catches it writing.
        Acks acks = new Acks(total, total - 1_000);
        Map<String, Object> config = Map.of(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.LINGER_MS_CONFIG, 2, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        List<Integer> ackedBeforeRestart = new ArrayList<>();
        List<Map<Integer, Long>> onDiskAtKill = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(spool.bootstrap(), config)) {
            Thread sender = new Thread(() -> acks.sendAll(producer, topic), "crash-it-sender");
            sender.start();
            for (int kill = 0; kill < kills; kill++) {
                int target = Math.min(acks.count() + total / 4, acks.gate());
                await().atMost(AWAIT).pollInterval(Duration.ofMillis(5)).until(() -> acks.failIfBroken() >= target);
                int sentAtKill = acks.sent();
                spool.kill();
                assertThat(spool.dataDir().resolve(".clean-shutdown")).as("clean-shutdown marker after SIGKILL")
                        .doesNotExist();
                onDiskAtKill.add(onDiskEndOffsets(topic));
                ackedBeforeRestart.add(acks.count());
                spool.restart();
                System.out.println("CrashRecoveryIT: kill " + (kill + 1) + " at " + ackedBeforeRestart.get(kill)
                        + " records acknowledged, " + (sentAtKill - ackedBeforeRestart.get(kill))
                        + " sent but unacknowledged; in the partition files: " + onDiskAtKill.get(kill));
                assertThat(sentAtKill).as("records sent before kill %d", kill + 1).isLessThan(total);
            }
            acks.openGate();
            await().atMost(Duration.ofSeconds(120)).until(() -> acks.failIfBroken() >= 0 && acks.senderDone());
            producer.flush();
            sender.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(acks.failures()).as("sends that failed despite idempotent retries").isEmpty();
        assertThat(acks.count()).as("acknowledged records").isEqualTo(total);
        assertExactlyOnceInSendOrder(readAll(topic), acks, total);
        // How often a kill catches batches appended but not yet acknowledged depends on timing (often hundreds,
        // sometimes none), so it is reported rather than asserted; any such retry appended twice fails above.
        System.out.println("CrashRecoveryIT: records in the log at a kill but acknowledged only after the restart"
                + " (their retries answered with the original offsets): "
                + acks.writtenBeforeAckedAfter(ackedBeforeRestart, onDiskAtKill));
    }

    /**
     * The end offset of each partition's log as the crash left it on disk: past the last batch whose bytes are all
     * there (a torn tail does not count). Read while the node is dead.
     *
     * <pre>
     * batch: baseOffset int64 | length int32 (bytes after this field) | ... | lastOffsetDelta int32 at byte 23 | ...
     * </pre>
     */
    private Map<Integer, Long> onDiskEndOffsets(String topic) throws IOException {
        Map<Integer, Long> end = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            long offset = 0;
            try (DirectoryStream<Path> segments = Files.newDirectoryStream(spool.dataDir().resolve(topic + "-" + p),
                    "*.log")) {
                for (Path segment : segments) {
                    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
                    while (bytes.remaining() >= BadBatches.RECORDS_OFFSET) {
                        int size = 12 + bytes.getInt(bytes.position() + 8);
                        if (size < BadBatches.RECORDS_OFFSET || size > bytes.remaining()) {
                            break;
                        }
                        long last = bytes.getLong(bytes.position())
                                + bytes.getInt(bytes.position() + BadBatches.LAST_OFFSET_DELTA_OFFSET);
                        offset = Math.max(offset, last + 1);
                        bytes.position(bytes.position() + size);
                    }
                }
            }
            end.put(p, offset);
        }
        return end;
    }

    @Test
    void shouldRecoverTheAcknowledgedLogEndOffsetsWhenKilledWithNothingInFlight() throws Exception {
        String topic = "crash-after-burst";
        spool = SpoolProcess.start(dir);
        createTopic(topic);
        List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>();
        Map<Integer, Long> acked = new HashMap<>();
        for (int burst = 0; burst < 2; burst++) {
            try (KafkaProducer<byte[], byte[]> producer = Clients.producer(spool.bootstrap(),
                    Map.of(ProducerConfig.LINGER_MS_CONFIG, 5))) {
                List<Future<RecordMetadata>> futures = new ArrayList<>();
                for (int i = 0; i < 3_000; i++) {
                    int n = sent.size();
                    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, n % PARTITIONS, key(n),
                            value(n));
                    sent.add(record);
                    futures.add(producer.send(record));
                }
                producer.flush();
                for (Future<RecordMetadata> future : futures) {
                    RecordMetadata metadata = future.get(0, TimeUnit.SECONDS);
                    acked.merge(metadata.partition(), 1L, Long::sum);
                }
                // Nothing is in flight: every send is acknowledged. Crash before anything else can happen.
                spool.kill();
            }
            assertThat(spool.dataDir().resolve(".clean-shutdown")).doesNotExist();
            spool.restart();
            Map<Integer, Long> endOffsets = endOffsets(topic);
            System.out.println("CrashRecoveryIT: after burst " + (burst + 1) + " acked per partition " + acked
                    + ", log end offsets after recovery " + endOffsets);
            assertThat(endOffsets).as("log end offsets after kill -9 and recovery").isEqualTo(acked);
        }
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> log = readAll(topic);
        for (int p = 0; p < PARTITIONS; p++) {
            List<ConsumerRecord<byte[], byte[]>> records = log.getOrDefault(p, List.of());
            for (int offset = 0; offset < records.size(); offset++) {
                ProducerRecord<byte[], byte[]> expected = sent.get(offset * PARTITIONS + p);
                assertThat(records.get(offset).offset()).isEqualTo(offset);
                assertThat(records.get(offset).key()).isEqualTo(expected.key());
                assertThat(records.get(offset).value()).isEqualTo(expected.value());
            }
        }
    }

    private static void assertExactlyOnceInSendOrder(Map<Integer, List<ConsumerRecord<byte[], byte[]>>> log,
            Acks acks, int total) {
        Set<Integer> seen = new HashSet<>();
        Map<Long, Integer> byPosition = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            List<ConsumerRecord<byte[], byte[]>> records = log.getOrDefault(p, List.of());
            int previous = -1;
            for (int offset = 0; offset < records.size(); offset++) {
                ConsumerRecord<byte[], byte[]> record = records.get(offset);
                assertThat(record.offset()).as("offsets of partition %d are dense from 0", p).isEqualTo(offset);
                int n = sequenceOf(record.value());
                assertThat(record.key()).isEqualTo(key(n));
                assertThat(record.value()).isEqualTo(value(n));
                assertThat(seen.add(n)).as("record %d appears once (found again at %d-%d)", n, p, offset).isTrue();
                assertThat(n).as("records of partition %d in send order (offset %d)", p, offset)
                        .isGreaterThan(previous);
                previous = n;
                byPosition.put(position(p, offset), n);
            }
        }
        for (int n = 0; n < total; n++) {
            assertThat(byPosition.get(position(acks.partition(n), acks.offset(n))))
                    .as("record at the partition and offset acknowledged for record %d", n).isEqualTo(n);
        }
        assertThat(seen).as("records in the log").hasSize(total);
    }

    private static long position(int partition, long offset) {
        return ((long) partition << 40) | offset;
    }

    private void createTopic(String topic) throws Exception {
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
        }
    }

    private Map<Integer, Long> endOffsets(String topic) throws Exception {
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            Map<TopicPartition, OffsetSpec> specs = partitions(topic).stream()
                    .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
            Map<Integer, Long> offsets = new HashMap<>();
            admin.listOffsets(specs).all().get().forEach((tp, info) -> offsets.put(tp.partition(), info.offset()));
            return offsets;
        }
    }

    /** Every record of the topic, per partition, read by a fresh assign/seek consumer up to the end offsets. */
    private Map<Integer, List<ConsumerRecord<byte[], byte[]>>> readAll(String topic) {
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> read = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(spool.bootstrap(), Map.of())) {
            List<TopicPartition> partitions = partitions(topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(AWAIT).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    read.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
                }
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
            assertThat(consumer.poll(Duration.ofMillis(500))).as("records beyond the end offsets").isEmpty();
        }
        return read;
    }

    private static List<TopicPartition> partitions(String topic) {
        return IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p)).toList();
    }

    static byte[] key(int n) {
        return ("key-" + n).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] value(int n) {
        return ("value-" + n + "-" + "x".repeat(n % 97)).getBytes(StandardCharsets.UTF_8);
    }

    static int sequenceOf(byte[] value) {
        String s = new String(value, StandardCharsets.UTF_8);
        return Integer.parseInt(s.substring("value-".length(), s.indexOf('-', "value-".length())));
    }

    /**
     * What the producer was told: for each record, the partition and offset of its acknowledgement, or the
     * exception it failed with. Written by the sender thread and the producer's callbacks, read by the test thread.
     */
    private static final class Acks {
        private static final int MAX_UNACKED = 2_000;
        private final int total;
        private final int[] partitions;
        private final long[] offsets;
        /** 1 for the first acknowledgement received, 2 for the second, ... */
        private final int[] ackSerials;
        private final AtomicInteger acked = new AtomicInteger();
        private final AtomicInteger sent = new AtomicInteger();
        private final Queue<String> failures = new ConcurrentLinkedQueue<>();
        private final Semaphore unacked = new Semaphore(MAX_UNACKED);
        private final CountDownLatch done = new CountDownLatch(1);
        private final AtomicReference<Throwable> senderError = new AtomicReference<>();
        private final int gate;
        private final CountDownLatch gateOpen = new CountDownLatch(1);

        /** Records for {@code total} sends; the sender waits before record {@code gate} until the gate opens. */
        Acks(int total, int gate) {
            this.total = total;
            this.gate = gate;
            this.partitions = new int[total];
            this.offsets = new long[total];
            this.ackSerials = new int[total];
        }

        /** Sends every record, at most {@link #MAX_UNACKED} unacknowledged at a time, so the load stays steady. */
        void sendAll(KafkaProducer<byte[], byte[]> producer, String topic) {
            try {
                for (int n = 0; n < total; n++) {
                    if (n == gate) {
                        gateOpen.await();
                    }
                    unacked.acquire();
                    int record = n;
                    producer.send(new ProducerRecord<>(topic, n % PARTITIONS, key(n), value(n)), (metadata, e) -> {
                        if (e != null) {
                            failures.add("record " + record + ": " + e);
                        } else {
                            synchronized (this) {
                                partitions[record] = metadata.partition();
                                offsets[record] = metadata.offset();
                                ackSerials[record] = acked.incrementAndGet();
                            }
                        }
                        unacked.release();
                    });
                    sent.incrementAndGet();
                }
            } catch (Throwable e) {
                senderError.set(e);
            } finally {
                done.countDown();
            }
        }

        /** The acknowledged count; throws if the sender thread died or a send failed, to end a wait early. */
        int failIfBroken() {
            Throwable error = senderError.get();
            if (error != null) {
                throw new AssertionError("sender thread failed", error);
            }
            if (!failures.isEmpty()) {
                throw new AssertionError("send failed: " + failures.peek());
            }
            return acked.get();
        }

        int gate() {
            return gate;
        }

        void openGate() {
            gateOpen.countDown();
        }

        int sent() {
            return sent.get();
        }

        int count() {
            return acked.get();
        }

        boolean senderDone() {
            return done.getCount() == 0;
        }

        List<String> failures() {
            return List.copyOf(failures);
        }

        /**
         * Per kill, how many records the broker had in its log when killed (offset below the on-disk end offset) but
         * acknowledged only after the restart that followed: the retried sends that idempotence must deduplicate.
         */
        synchronized List<Integer> writtenBeforeAckedAfter(List<Integer> ackedBeforeRestart,
                List<Map<Integer, Long>> onDiskAtKill) {
            List<Integer> counts = new ArrayList<>();
            for (int k = 0; k < ackedBeforeRestart.size(); k++) {
                int from = ackedBeforeRestart.get(k);
                int to = k + 1 < ackedBeforeRestart.size() ? ackedBeforeRestart.get(k + 1) : Integer.MAX_VALUE;
                int count = 0;
                for (int n = 0; n < total; n++) {
                    if (ackSerials[n] > from && ackSerials[n] <= to
                            && offsets[n] < onDiskAtKill.get(k).get(partitions[n])) {
                        count++;
                    }
                }
                counts.add(count);
            }
            return counts;
        }

        synchronized int partition(int n) {
            return partitions[n];
        }

        synchronized long offset(int n) {
            return offsets[n];
        }
    }
}
