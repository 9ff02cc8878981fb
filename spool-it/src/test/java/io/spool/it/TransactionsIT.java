package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions with the Java client against a real Spool node: read_committed consumers see exactly the committed
 * records in log order while read_uncommitted ones see everything; a zombie producer is fenced; and a node killed
 * in the middle of transactions neither loses a commit nor leaves a partition stuck behind an open transaction.
 */
class TransactionsIT {
    private static final int PARTITIONS = 3;

    @TempDir
    static Path dir;
    static SpoolProcess spool;

    @BeforeAll
    static void startSpool() {
        spool = SpoolProcess.start(dir);
    }

    @AfterAll
    static void stopSpool() {
        if (spool != null) {
            spool.close();
        }
    }

    @Test
    void shouldShowReadCommittedConsumersExactlyTheCommittedRecordsInOrder() throws Exception {
        String topic = createTopic("interleaved");
        Set<String> committed = new HashSet<>();
        Set<String> aborted = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> a = transactional("interleaved-a", 60_000);
             KafkaProducer<byte[], byte[]> b = transactional("interleaved-b", 60_000)) {
            a.initTransactions();
            b.initTransactions();
            for (int t = 0; t < 20; t++) {
                // Two producers' transactions interleave on the same partitions, so an aborted one lies between
                // the records of a committed one.
                a.beginTransaction();
                b.beginTransaction();
                List<String> aValues = send(a, topic, "a-" + t, 30);
                List<String> bValues = send(b, topic, "b-" + t, 30);
                aValues.addAll(send(a, topic, "a-" + t + "-late", 10));
                a.flush();
                b.flush();
                if (t % 3 == 1) {
                    a.abortTransaction();
                    aborted.addAll(aValues);
                } else {
                    a.commitTransaction();
                    committed.addAll(aValues);
                }
                if (t % 4 == 2) {
                    b.abortTransaction();
                    aborted.addAll(bValues);
                } else {
                    b.commitTransaction();
                    committed.addAll(bValues);
                }
            }
        }
        Map<Integer, List<String>> everything = readAll(topic, "read_uncommitted");
        Map<Integer, List<String>> visible = readAll(topic, "read_committed");
        List<String> all = everything.values().stream().flatMap(List::stream).toList();
        assertThat(all).hasSize(committed.size() + aborted.size()).doesNotHaveDuplicates()
                .containsAll(committed).containsAll(aborted);
        for (int p = 0; p < PARTITIONS; p++) {
            List<String> expected = everything.getOrDefault(p, List.of()).stream().filter(committed::contains)
                    .toList();
            assertThat(visible.getOrDefault(p, List.of())).as("partition %d", p).isEqualTo(expected);
        }
    }

    @Test
    void shouldFenceAZombieProducerAndAbortItsOpenTransaction() throws Exception {
        String topic = createTopic("zombie");
        KafkaProducer<byte[], byte[]> zombie = transactional("zombie", 60_000);
        try {
            zombie.initTransactions();
            zombie.beginTransaction();
            send(zombie, topic, "zombie", 5);
            zombie.flush();
            try (KafkaProducer<byte[], byte[]> successor = transactional("zombie", 60_000)) {
                successor.initTransactions();
                assertThatThrownBy(zombie::commitTransaction).isInstanceOf(KafkaException.class);
                successor.beginTransaction();
                List<String> values = send(successor, topic, "successor", 5);
                successor.commitTransaction();
                List<String> visible = readAll(topic, "read_committed").values().stream().flatMap(List::stream)
                        .toList();
                assertThat(visible).containsExactlyInAnyOrderElementsOf(values);
                assertThat(readAll(topic, "read_uncommitted").values().stream().mapToInt(List::size).sum())
                        .isEqualTo(10);
            }
        } finally {
            zombie.close(Duration.ZERO);
        }
    }

    @Test
    void shouldResolveOpenAndCommittingTransactionsWhenTheNodeIsKilled() throws Exception {
        String topic = createTopic("crash");
        KafkaProducer<byte[], byte[]> committer = transactional("crash-committer", 60_000);
        KafkaProducer<byte[], byte[]> abandoned = transactional("crash-abandoned", 5_000);
        List<String> committedValues;
        try {
            committer.initTransactions();
            abandoned.initTransactions();
            abandoned.beginTransaction();
            send(abandoned, topic, "abandoned", 20);
            abandoned.flush();
            committer.beginTransaction();
            committedValues = send(committer, topic, "committed", 20);
            // The commit is acknowledged once it is decided; the markers may still be on their way when the node dies.
            committer.commitTransaction();
            spool.kill();
        } finally {
            committer.close(Duration.ZERO);
            abandoned.close(Duration.ZERO);
        }
        spool.restart();
        // The abandoned transaction times out and is aborted: the last stable offset reaches the log end.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(readAll(topic, "read_committed")
                .values().stream().flatMap(List::stream).toList())
                .containsExactlyInAnyOrderElementsOf(committedValues));
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("read_committed")) {
            List<TopicPartition> partitions = partitions(topic);
            Map<TopicPartition, Long> stable = consumer.endOffsets(partitions);
            try (KafkaConsumer<byte[], byte[]> raw = consumer("read_uncommitted")) {
                assertThat(stable).isEqualTo(raw.endOffsets(partitions));
            }
        }
        // Both transactional ids work again, with a bumped epoch.
        try (KafkaProducer<byte[], byte[]> again = transactional("crash-abandoned", 60_000)) {
            again.initTransactions();
            again.beginTransaction();
            List<String> values = send(again, topic, "after", 3);
            again.commitTransaction();
            List<String> expected = new ArrayList<>(committedValues);
            expected.addAll(values);
            assertThat(readAll(topic, "read_committed").values().stream().flatMap(List::stream).toList())
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void shouldCommitConsumedOffsetsOnlyWithTheirTransaction() throws Exception {
        String topic = createTopic("offsets-in-txn");
        String group = "txn-offsets-group";
        TopicPartition input = new TopicPartition(topic, 0);
        try (KafkaProducer<byte[], byte[]> producer = transactional("offsets", 60_000);
             Admin admin = Clients.admin(spool.bootstrap())) {
            producer.initTransactions();
            ConsumerGroupMetadata metadata = new ConsumerGroupMetadata(group);
            producer.beginTransaction();
            send(producer, topic, "aborted-output", 3);
            producer.sendOffsetsToTransaction(Map.of(input, new OffsetAndMetadata(50)), metadata);
            producer.abortTransaction();
            assertThat(committedOffsets(admin, group)).doesNotContainKey(input);

            producer.beginTransaction();
            send(producer, topic, "committed-output", 3);
            producer.sendOffsetsToTransaction(Map.of(input, new OffsetAndMetadata(60)), metadata);
            producer.commitTransaction();
            assertThat(committedOffsets(admin, group)).containsEntry(input, new OffsetAndMetadata(60));
        }
    }

    /** The group's committed offsets as a read_committed consumer sees them (requireStable). */
    private static Map<TopicPartition, OffsetAndMetadata> committedOffsets(Admin admin, String group)
            throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(admin.listConsumerGroupOffsets(group,
                new ListConsumerGroupOffsetsOptions().requireStable(true)).partitionsToOffsetAndMetadata().get());
        offsets.values().removeIf(java.util.Objects::isNull);
        return offsets;
    }

    private static String createTopic(String name) throws Exception {
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(name, PARTITIONS, (short) 1))).all().get();
        }
        return name;
    }

    private static KafkaProducer<byte[], byte[]> transactional(String id, int timeoutMs) {
        return Clients.producer(spool.bootstrap(), Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, timeoutMs, ProducerConfig.LINGER_MS_CONFIG, 2));
    }

    /** Sends {@code count} records with values {@code prefix-i}, round robin over the partitions. */
    private static List<String> send(KafkaProducer<byte[], byte[]> producer, String topic, String prefix,
            int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String value = prefix + "-" + i;
            values.add(value);
            producer.send(new ProducerRecord<>(topic, i % PARTITIONS, null, value.getBytes(StandardCharsets.UTF_8)));
        }
        return values;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String isolation) {
        return Clients.consumer(spool.bootstrap(), Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation));
    }

    private static List<TopicPartition> partitions(String topic) {
        return IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p)).toList();
    }

    /** Every record up to the end the isolation level allows (the last stable offset for read_committed). */
    private static Map<Integer, List<String>> readAll(String topic, String isolation) {
        Map<Integer, List<String>> values = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(isolation)) {
            List<TopicPartition> partitions = partitions(topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    values.computeIfAbsent(r.partition(), p -> new ArrayList<>())
                            .add(new String(r.value(), StandardCharsets.UTF_8));
                }
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
        }
        return values;
    }
}
