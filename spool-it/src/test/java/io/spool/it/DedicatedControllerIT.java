package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.message.MetadataResponseData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dedicated controllers, as KRaft runs them: three controller-only voters ({@code process.roles=controller}, nodes
 * 1-3, with nothing but a CONTROLLER listener) and three broker-only nodes (4-6). An idempotent {@code acks=all}
 * producer and a consumer group run on an RF=3, {@code min.insync.replicas=2} topic while the active controller is
 * SIGKILLed and later restarted. Then: every acknowledged record is read back exactly once, in order; the group
 * missed nothing; topics can be created after the failover, on brokers only; the brokers stayed unfenced; and no
 * Metadata answer of any broker ever listed a controller (nor named one as the controller a client should call).
 *
 * <p>The nodes are {@link ClusterNode}s built here ({@link SpoolCluster} makes every node a broker).
 */
class DedicatedControllerIT {
    private static final List<Integer> CONTROLLERS = List.of(1, 2, 3);
    private static final Set<Integer> BROKERS = Set.of(4, 5, 6);
    private static final int PARTITIONS = 3;
    private static final Duration FAILOVER = Duration.ofSeconds(60);
    private static final Duration START_LIMIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;
    private final Map<Integer, ClusterNode> nodes = new LinkedHashMap<>();
    private Admin admin;

    /** On a failure: every node's log tail in the output. */
    @RegisterExtension
    final AfterTestExecutionCallback logsOnFailure = context -> {
        if (context.getExecutionException().isPresent()) {
            nodes.values().forEach(n -> System.err.println("=== " + n + System.lineSeparator() + n.logTail(12_000)));
        }
    };

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        nodes.values().forEach(ClusterNode::terminate);
        nodes.values().forEach(n -> n.awaitExit(Duration.ofSeconds(30)));
    }

    @Test
    void shouldKeepEveryAcknowledgedRecordWhenTheActiveDedicatedControllerIsKilledAndRestarted() throws Exception {
        startCluster();
        String topic = "orders";
        createTopic(topic);
        String group = "group-orders";
        try (ContinuousProducer producer = new ContinuousProducer(bootstrap(), topic, PARTITIONS, 500);
             RecordingGroupMember member = new RecordingGroupMember(bootstrap(), group, topic)) {
            producer.awaitAcked(500, "records acknowledged before the failover", FAILOVER);
            assertMetadataListsBrokersOnly();

            int killed = activeController();
            assertThat(CONTROLLERS).as("the active controller is a dedicated one").contains(killed);
            long start = System.nanoTime();
            nodes.get(killed).kill();
            int successor = await("a new active controller").atMost(FAILOVER).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(this::activeController, id -> id != killed && id > 0);
            report("controller " + killed + " SIGKILLed; controller " + successor + " active after "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
            producer.awaitAcked(producer.ackedCount() + 500, "producer writing after the failover", FAILOVER);
            createTopic("created-after-failover");
            assertBrokersUnfencedAndInEveryIsr(topic);
            assertMetadataListsBrokersOnly();

            nodes.get(killed).launch();
            awaitVoterCaughtUp(killed);
            createTopic("created-after-restart");
            producer.awaitAcked(producer.ackedCount() + 300, "producer writing after the restart", FAILOVER);
            producer.stop();
            List<ContinuousProducer.Acked> acked = producer.acked();
            assertThat(producer.fatalFailures()).as("sends failed with a non-retriable error").isEmpty();
            awaitGroupCaughtUp(member, group, topic);
            assertThat(member.failures()).as("errors that ended the group member's poll loop").isEmpty();
            ClusterChecker.assertGroupDelivered(member, acked, false);
            report(ClusterChecker.assertExactlyOnceInOrder(ClusterChecker.readAll(bootstrap(), topic, PARTITIONS,
                    Duration.ofSeconds(60)), acked));
            assertMetadataListsBrokersOnly();
        }
    }

    /** Launches the six nodes at once (a voter waits for a majority) and waits until the brokers serve. */
    private void startCluster() {
        // Nine distinct ports: picked one by one, two nodes once got the same one and the second could not bind it.
        List<Integer> ports = SpoolProcess.freePorts(9);
        Map<Integer, Integer> quorumPorts = new LinkedHashMap<>();
        for (int id = 1; id <= 6; id++) {
            quorumPorts.put(id, ports.get(id - 1));
        }
        Iterator<Integer> brokerPorts = ports.subList(6, 9).iterator();
        String voters = CONTROLLERS.stream().map(id -> id + "@127.0.0.1:" + quorumPorts.get(id))
                .collect(Collectors.joining(","));
        for (int id : CONTROLLERS) {
            Map<String, String> settings = new LinkedHashMap<>(SpoolCluster.FAST_FAILOVER);
            settings.put("process.roles", "controller");
            settings.put("listeners", "CONTROLLER://127.0.0.1:" + quorumPorts.get(id));
            settings.put("controller.quorum.voters", voters);
            nodes.put(id, new ClusterNode(id, dir.resolve("node-" + id), 0, quorumPorts.get(id), settings,
                    SpoolCluster.SMALL_JVM));
        }
        for (int id : BROKERS) {
            int port = brokerPorts.next();
            Map<String, String> settings = new LinkedHashMap<>(SpoolCluster.FAST_FAILOVER);
            settings.put("process.roles", "broker");
            settings.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:"
                    + quorumPorts.get(id));
            settings.put("controller.quorum.voters", voters);
            nodes.put(id, new ClusterNode(id, dir.resolve("node-" + id), port, quorumPorts.get(id), settings,
                    SpoolCluster.SMALL_JVM));
        }
        nodes.values().forEach(ClusterNode::launch);
        admin = Clients.admin(bootstrap());
        await("brokers 4-6 listed").atMost(START_LIMIT).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream().map(Node::id)
                        .collect(Collectors.toSet()), BROKERS::equals);
    }

    private String bootstrap() {
        return BROKERS.stream().sorted().map(id -> nodes.get(id).bootstrap()).collect(Collectors.joining(","));
    }

    /** Creates an RF=3, min.insync.replicas=2 topic and checks that its replicas are brokers. */
    private void createTopic(String topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 3).configs(Map.of("min.insync.replicas",
                "2")))).all().get(60, TimeUnit.SECONDS);
        TopicDescription description = await("leaders of " + topic).atMost(FAILOVER).ignoreExceptions()
                .until(() -> describe(topic), d -> d.partitions().stream().allMatch(p -> p.leader() != null));
        for (TopicPartitionInfo p : description.partitions()) {
            assertThat(p.replicas()).as("replicas of %s-%d", topic, p.partition()).extracting(Node::id)
                    .containsExactlyInAnyOrderElementsOf(BROKERS);
        }
    }

    private TopicDescription describe(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
    }

    /** The quorum leader, as DescribeQuorum (answered by the active controller through a broker) says. */
    private int activeController() throws Exception {
        return admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).leaderId();
    }

    /** Waits until the restarted voter's log reaches the quorum's high watermark. */
    private void awaitVoterCaughtUp(int voter) {
        await("controller " + voter + " caught up").atMost(FAILOVER).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> {
                    QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS);
                    return quorum.voters().stream().anyMatch(v -> v.replicaId() == voter
                            && v.logEndOffset() >= quorum.highWatermark() - 1);
                });
    }

    /**
     * Every broker still heartbeats to the controller after the failover: all listed (so unfenced) and back in
     * every ISR of the topic.
     */
    private void assertBrokersUnfencedAndInEveryIsr(String topic) {
        await("brokers unfenced, full ISRs of " + topic).atMost(FAILOVER).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size()
                        == BROKERS.size() && describe(topic).partitions().stream()
                        .allMatch(p -> p.isr().size() == BROKERS.size()));
    }

    /** Asks every running broker itself: its Metadata lists brokers only and names a broker as controller. */
    private void assertMetadataListsBrokersOnly() {
        for (int id : BROKERS) {
            MetadataResponseData metadata = nodes.get(id).metadata(Duration.ofSeconds(10));
            assertThat(metadata.brokers()).as("brokers in node %d's Metadata", id)
                    .extracting(MetadataResponseData.MetadataResponseBroker::nodeId).isSubsetOf(BROKERS);
            assertThat(BROKERS).as("controller id in node %d's Metadata", id).contains(metadata.controllerId());
        }
    }

    /** Waits until the member has processed every record and its committed offsets are the partitions' ends. */
    private void awaitGroupCaughtUp(RecordingGroupMember member, String group, String topic) {
        await(group + " caught up and committed the end of " + topic).atMost(FAILOVER)
                .pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                    Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
                    for (int p = 0; p < PARTITIONS; p++) {
                        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                    }
                    Map<TopicPartition, Long> end = new LinkedHashMap<>();
                    admin.listOffsets(latest).all().get(15, TimeUnit.SECONDS)
                            .forEach((tp, info) -> end.put(tp, info.offset()));
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                    List<Boolean> caughtUp = new ArrayList<>();
                    end.forEach((tp, offset) -> caughtUp.add(committed.get(tp) != null
                            && committed.get(tp).offset() == offset
                            && member.committed().getOrDefault(tp.partition(), -1L).equals(offset)));
                    return !caughtUp.contains(false);
                });
    }

    private static void report(String line) {
        System.out.println("DedicatedControllerIT: " + line);
    }
}
