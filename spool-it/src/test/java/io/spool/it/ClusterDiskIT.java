package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk in a three-node cluster whose nodes each have a small data disk of their own ({@link SmallDisk}).
 * While an idempotent {@code acks=all} producer writes to an RF=3, {@code min.insync.replicas=2} topic, the disk of
 * the partition's leader, then of a follower, fills up: the node stops at its next write (as a Kafka broker whose
 * last log directory fails), the others go on, and once the disk has room again the node restarts, recovers and
 * catches up. Every acknowledged record is read back exactly once in order and the replicas end byte-identical.
 */
class ClusterDiskIT {
    private static final Duration RECOVERY = Duration.ofSeconds(60);
    private static final long DISK_BYTES = 128L << 20;
    private static final int PARTITIONS = 1;

    @TempDir
    static Path dir;
    static SpoolCluster cluster;

    @RegisterExtension
    static final AfterTestExecutionCallback LOGS_ON_FAILURE = SpoolCluster.logsOnFailure(() -> cluster);

    @BeforeAll
    static void startCluster() {
        PrivilegedFaults.require();
        cluster = SpoolCluster.start(dir.resolve("cluster"), 3, Map.of(), new SpoolCluster.Setup(false, DISK_BYTES));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
            cluster.keepLogs("ClusterDiskIT");
        }
    }

    @BeforeEach
    void healCluster() {
        PrivilegedFaults.require();
        cluster.nodes().forEach(node -> cluster.disk(node.id()).free());
        cluster.heal();
    }

    @Test
    void shouldStopALeaderWhoseDiskIsFullAndLoseNothing() throws Exception {
        fillDiskOf(true);
    }

    @Test
    void shouldStopAFollowerWhoseDiskIsFullAndLoseNothing() throws Exception {
        fillDiskOf(false);
    }

    private void fillDiskOf(boolean leaderNotFollower) throws Exception {
        String topic = "disk-" + UUID.randomUUID();
        TopicPartition partition = new TopicPartition(topic, 0);
        cluster.createTopic(topic, PARTITIONS, 3, Map.of("min.insync.replicas", "2"));
        try (ContinuousProducer producer = new ContinuousProducer(cluster.bootstrapServers(), topic, PARTITIONS,
                300)) {
            producer.awaitAcked(300, "before the disk fills", RECOVERY);
            int leader = cluster.leaderOf(partition);
            int victim = leaderNotFollower ? leader
                    : cluster.isrOf(partition).stream().filter(id -> id != leader).findFirst().orElseThrow();
            ClusterNode node = cluster.node(victim);
            long ballast = cluster.disk(victim).fill();
            report("filled the disk of node " + victim + (victim == leader ? ", the leader" : ", a follower")
                    + ", with " + ballast + " bytes");
            await("node " + victim + " stopping on its full disk").atMost(RECOVERY)
                    .pollInterval(Duration.ofMillis(100)).until(() -> !node.isAlive());
            assertThat(node.exitCode()).as("exit status of node %d on a full disk", victim).isEqualTo(1);
            assertThat(node.logTail(200_000)).as("log of node %d", victim).contains("failed; stopping this node");
            producer.awaitAcked(producer.ackedCount() + 300, "while node " + victim + " is down", RECOVERY);
            cluster.disk(victim).free();
            cluster.restart(victim);
            cluster.awaitFullIsr(topic, RECOVERY);
            producer.awaitAcked(producer.ackedCount() + 300, "after node " + victim + " came back", RECOVERY);
            producer.stop();
            assertThat(producer.fatalFailures()).as("sends failed with a non-retriable error").isEmpty();
            List<ContinuousProducer.Acked> acked = producer.acked();
            report(ClusterChecker.assertExactlyOnceInOrder(
                    ClusterChecker.readAll(cluster.bootstrapServers(), topic, PARTITIONS, RECOVERY), acked));
            report(ClusterChecker.assertReplicasIdentical(cluster, topic, PARTITIONS, Duration.ofSeconds(30)));
        }
    }

    private static void report(String line) {
        System.out.println("ClusterDiskIT: " + line);
    }
}
