package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Horizontal scaling: a fourth node, a broker only (it follows the metadata quorum without voting), joins a running
 * three-node cluster, and {@code spool cluster add-broker} moves an even share of the replicas onto it while an
 * idempotent acks=all producer keeps writing. Then {@code spool cluster decommission} empties it again. Every
 * acknowledged record is read back exactly once, in order, and the replicas end byte-identical.
 */
class ClusterGrowthIT {
    private static final String TOPIC = "growing";
    private static final int PARTITIONS = 6;

    @TempDir
    Path dir;
    private SpoolCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
            cluster.keepLogs("ClusterGrowthIT");
        }
    }

    @Test
    void shouldMoveReplicasOntoAnAddedBrokerAndOffADecommissionedOneWhileAProducerRuns() throws Exception {
        cluster = SpoolCluster.start(dir.resolve("cluster"), 3);
        cluster.createTopic(TOPIC, PARTITIONS, 3, Map.of("min.insync.replicas", "2"));
        List<ContinuousProducer.Acked> acked;
        try (ContinuousProducer producer = new ContinuousProducer(cluster.bootstrapServers(), TOPIC, PARTITIONS,
                500)) {
            awaitAcked(producer, 500);
            cluster.addBroker();
            SpoolCommand spool = new SpoolCommand(dir, cluster.node(1).bootstrap());

            ExternalCommand.Result added = spool.client("cluster", "add-broker", "--broker-id", "4");
            assertThat(added.exitCode()).as("add-broker: %s %s", added.stdout(), added.stderr()).isZero();
            assertThat(replicaCounts().get(4)).as("replicas on the new broker").isGreaterThanOrEqualTo(4);
            awaitAcked(producer, producer.ackedCount() + 300);

            ExternalCommand.Result emptied = spool.client("cluster", "decommission", "--broker-id", "1");
            assertThat(emptied.exitCode()).as("decommission: %s %s", emptied.stdout(), emptied.stderr()).isZero();
            assertThat(replicaCounts()).as("replicas per broker").doesNotContainKey(1);
            awaitAcked(producer, producer.ackedCount() + 300);

            producer.stop();
            acked = producer.acked();
            assertThat(producer.fatalFailures()).as("fatal producer errors").isEmpty();
            assertThat(producer.failures()).as("sends that failed after their retries").isEmpty();
        }
        Map<Integer, List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>>> read =
                ClusterChecker.readAll(cluster.bootstrapServers(), TOPIC, PARTITIONS, Duration.ofSeconds(60));
        System.out.println("ClusterGrowthIT: " + ClusterChecker.assertExactlyOnceInOrder(read, acked));
        System.out.println("ClusterGrowthIT: "
                + ClusterChecker.assertReplicasIdentical(cluster, TOPIC, PARTITIONS, Duration.ofSeconds(30)));
    }

    /** Replicas of the test topic held by each broker. */
    private Map<Integer, Integer> replicaCounts() throws Exception {
        TopicDescription topic = cluster.admin().describeTopics(List.of(TOPIC)).allTopicNames()
                .get(15, TimeUnit.SECONDS).get(TOPIC);
        Map<Integer, Integer> counts = new java.util.TreeMap<>();
        for (TopicPartitionInfo p : topic.partitions()) {
            for (Node replica : p.replicas()) {
                counts.merge(replica.id(), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static void awaitAcked(ContinuousProducer producer, int count) {
        await("records acknowledged").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            assertThat(producer.fatalFailures()).as("fatal producer errors").isEmpty();
            return producer.ackedCount() >= count;
        });
    }
}
