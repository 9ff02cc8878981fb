package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica added after its leader compacted the log copies what compaction left, gaps between offsets included,
 * and serves the same latest values once it leads.
 */
class ReplicatedCompactionIT {
    private static final String TOPIC = "replicated-compacted";
    private static final int KEYS = 1_000;
    private static final Duration AWAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    private SpoolCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
            cluster.keepLogs("ReplicatedCompactionIT");
        }
    }

    @Test
    void shouldCopyACompactedLogToANewReplica() throws Exception {
        cluster = SpoolCluster.start(dir.resolve("cluster"), 3, Map.of("log.cleaner.backoff.ms", "200",
            "log.retention.check.interval.ms", "500"));
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        // cluster.admin() is the cluster's own client: used, never closed here.
        Admin admin = cluster.admin();
        admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1))).configs(Map.of(
            "cleanup.policy", "compact", "segment.bytes", "1048576", "segment.ms", "2000",
            "min.cleanable.dirty.ratio", "0.01", "file.delete.delay.ms", "0", "min.insync.replicas", "1"))))
            .all().get();
        await().atMost(AWAIT).ignoreExceptions().until(() -> cluster.leaderOf(tp) == 1);
        Map<String, String> expected = produce(100_000);
        await("compaction on the leader").atMost(AWAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
            assertThat(CompactionIT.readFromBeginning(cluster.node(1).bootstrap(), TOPIC)).isEqualTo(expected));

        admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(1, 2)))))
            .all().get();
        await("replica 2 in sync").atMost(AWAIT).ignoreExceptions()
            .until(() -> cluster.isrOf(tp).containsAll(List.of(1, 2)));
        cluster.stop(1);
        await().atMost(AWAIT).ignoreExceptions().until(() -> cluster.leaderOf(tp) == 2);

        assertThat(CompactionIT.readFromBeginning(cluster.node(2).bootstrap(), TOPIC)).isEqualTo(expected);
    }

    private Map<String, String> produce(int count) throws Exception {
        Map<String, String> expected = new HashMap<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(cluster.bootstrapServers(),
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 5))) {
            for (int i = 0; i < count; i++) {
                String key = "key-" + (i % KEYS);
                String value = "value-" + i;
                expected.put(key, value);
                producer.send(new ProducerRecord<>(TOPIC, key.getBytes(StandardCharsets.UTF_8),
                    value.getBytes(StandardCharsets.UTF_8)), (m, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
            }
            producer.flush();
        }
        assertThat(failure.get()).isNull();
        return expected;
    }
}
