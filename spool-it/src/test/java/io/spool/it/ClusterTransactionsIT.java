package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions on a 3-node cluster whose transaction coordinator dies (SIGKILL) in the middle of a transaction: the
 * coordinator moves with the leadership of its {@code __transaction_state} partition, the new one completes or
 * aborts the open transaction (markers to the partition leaders on other nodes), no committed record is lost, and
 * no partition is left behind an open last stable offset.
 */
class ClusterTransactionsIT {
    private static final String TOPIC = "cluster-txn";
    private static final int PARTITIONS = 3;
    private static final String ID = "failover";
    private static final Duration AWAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    private SpoolCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
            cluster.keepLogs("ClusterTransactionsIT");
        }
    }

    @Test
    void shouldResolveTheOpenTransactionWhenTheCoordinatorNodeIsKilled() throws Exception {
        Map<String, String> settings = new HashMap<>(SpoolCluster.FAST_FAILOVER);
        settings.put("transaction.state.log.replication.factor", "3");
        settings.put("transaction.state.log.min.isr", "2");
        settings.put("transaction.state.log.num.partitions", "3");
        settings.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        cluster = SpoolCluster.start(dir.resolve("cluster"), 3, settings);
        cluster.createTopic(TOPIC, PARTITIONS, 3, Map.of());
        List<String> committed = new ArrayList<>();
        List<String> undecided;
        boolean lastCommitted;
        KafkaProducer<byte[], byte[]> producer = Clients.producer(cluster.bootstrapServers(), Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, ID, ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 15_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000, ProducerConfig.LINGER_MS_CONFIG, 2));
        try {
            producer.initTransactions();
            for (int t = 0; t < 6; t++) {
                producer.beginTransaction();
                List<String> values = send(producer, "before-" + t, 20);
                if (t % 2 == 0) {
                    producer.commitTransaction();
                    committed.addAll(values);
                } else {
                    producer.abortTransaction();
                }
            }
            int coordinator = cluster.admin().describeTransactions(List.of(ID)).description(ID).get()
                    .coordinatorId();
            producer.beginTransaction();
            undecided = send(producer, "open", 30);
            producer.flush();
            cluster.kill(coordinator);
            try {
                producer.commitTransaction();
                lastCommitted = true;
            } catch (KafkaException e) {
                // The new coordinator may have aborted it first (a timeout): also a resolution.
                lastCommitted = false;
            }
            if (lastCommitted) {
                committed.addAll(undecided);
                producer.beginTransaction();
                committed.addAll(send(producer, "after", 20));
                producer.commitTransaction();
            }
        } finally {
            producer.close(Duration.ofSeconds(5));
        }
        List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
                .mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
        await().atMost(AWAIT).ignoreExceptions().untilAsserted(() -> {
            try (KafkaConsumer<byte[], byte[]> stable = consumer("read_committed");
                 KafkaConsumer<byte[], byte[]> raw = consumer("read_uncommitted")) {
                assertThat(stable.endOffsets(partitions)).isEqualTo(raw.endOffsets(partitions));
            }
        });
        List<String> visible = readCommitted(partitions);
        if (!lastCommitted && visible.size() > committed.size()) {
            // The commit failed on the client's side only (e.g. its answer was lost): then all of it is there.
            committed.addAll(undecided);
        }
        assertThat(visible).containsExactlyInAnyOrderElementsOf(committed);
    }

    private static List<String> send(KafkaProducer<byte[], byte[]> producer, String prefix, int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String value = prefix + "-" + i;
            values.add(value);
            producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, value.getBytes(StandardCharsets.UTF_8)));
        }
        return values;
    }

    private KafkaConsumer<byte[], byte[]> consumer(String isolation) {
        return Clients.consumer(cluster.bootstrapServers(), Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation));
    }

    private List<String> readCommitted(List<TopicPartition> partitions) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("read_committed")) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(AWAIT).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
        }
        return values;
    }
}
