package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eligible leader replicas (KIP-966) on a three-node cluster (every node a voter and a broker): an RF=3,
 * {@code min.insync.replicas=2} topic written by an idempotent {@code acks=all} producer loses its followers, then its
 * leader; the follower that left the ISR below min ISR is in the ELR, is reported there by the Admin client's
 * describeTopics (DescribeTopicPartitions), and becomes the leader when it returns, with unclean election off, ahead
 * of the third replica, which is out of sync; every acknowledged record is read back.
 *
 * <p>The followers stop cleanly (SIGTERM): a replica that crashed is removed from the ELR when it registers again
 * (Kafka's unclean-shutdown rule), since it may have lost records it had acknowledged. The leader is SIGKILLed. The
 * third replica restarts with the ELR member because two of the three voters are needed for the controller to act.
 */
class ElrIT {
    private static final String TOPIC = "elr";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final Duration LIMIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;
    private SpoolCluster cluster;

    @RegisterExtension
    final AfterTestExecutionCallback logsOnFailure = context -> {
        if (context.getExecutionException().isPresent() && cluster != null) {
            System.err.println("ElrIT failed; the nodes:" + cluster.logTails());
            cluster.keepLogs("ElrIT-" + context.getRequiredTestMethod().getName());
        }
    };

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void shouldElectEligibleLeaderReplicaAndKeepEveryAcknowledgedRecord() throws Exception {
        cluster = SpoolCluster.start(dir.resolve("cluster"), 3);
        cluster.createTopic(TOPIC, 1, 3, Map.of("min.insync.replicas", "2"));
        int leader = cluster.leaderOf(TP);
        List<Integer> followers = cluster.nodes().stream().map(ClusterNode::id).filter(id -> id != leader).toList();
        int eligible = followers.get(0);
        int outOfSync = followers.get(1);
        Random random = new Random(966);

        List<ConsumerRecord<byte[], byte[]>> acked = new ArrayList<>(AckedRecords.produce(
                cluster.bootstrapServers(), TOPIC, 1, 300, "all-three", random));
        cluster.stop(outOfSync);
        awaitPartition("the ISR without " + outOfSync, p -> ids(p.isr()).equals(Set.of(leader, eligible))
                && p.elr().isEmpty());
        acked.addAll(AckedRecords.produce(cluster.bootstrapServers(), TOPIC, 1, 300, "two", random));

        cluster.stop(eligible);
        TopicPartitionInfo belowMinIsr = awaitPartition(eligible + " in the ELR", p -> ids(p.isr())
                .equals(Set.of(leader)) && ids(p.elr()).equals(Set.of(eligible)));
        assertThat(belowMinIsr.leader().id()).isEqualTo(leader);

        cluster.kill(leader);
        cluster.node(eligible).launch();
        cluster.node(outOfSync).launch();
        cluster.awaitBrokers(2, LIMIT);

        await("a leader elected from the ELR").atMost(LIMIT).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> cluster.leaderOf(TP) != leader && cluster.leaderOf(TP) != -1);
        assertThat(cluster.leaderOf(TP)).as("the ELR member, not the out-of-sync replica").isEqualTo(eligible);
        awaitPartition("the returned replica back in the ISR", p -> ids(p.isr()).equals(Set.of(eligible, outOfSync))
                && p.elr().isEmpty());
        String bootstrap = cluster.node(eligible).bootstrap() + "," + cluster.node(outOfSync).bootstrap();
        AckedRecords.assertSame(AckedRecords.readFromBeginning(bootstrap, List.of(TP), acked.size()), acked);

        cluster.restart(leader);
        awaitPartition("the crashed leader back in the ISR", p -> ids(p.isr()).equals(Set.of(1, 2, 3))
                && p.elr().isEmpty() && p.lastKnownElr().isEmpty());
    }

    /** Waits until the partition, as the Admin client's describeTopics reports it, is as {@code expected} says. */
    private TopicPartitionInfo awaitPartition(String what, java.util.function.Predicate<TopicPartitionInfo> expected) {
        TopicPartitionInfo[] seen = {null};
        await(what).atMost(LIMIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            TopicDescription description = cluster.describe(TOPIC);
            seen[0] = description.partitions().get(0);
            return expected.test(seen[0]);
        });
        return seen[0];
    }

    private static Set<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).collect(Collectors.toSet());
    }
}
