package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-node Spool cluster (every node broker and controller) serving real kafka-clients through faults: an
 * idempotent {@code acks=all} producer and a consumer group on an RF=3, {@code min.insync.replicas=2} topic while
 * partition leaders are SIGKILLed and restarted and a leader is paused with SIGSTOP; then every acknowledged record
 * is read back exactly once, in order, offsets dense; no committed offset moves back; and all replicas hold
 * byte-identical logs. Partitions added through a node that is not the active controller are replicated to every
 * node. Losing one of the three voters keeps the cluster serving; losing two stops topic creation, and it heals
 * when they return. The tests share one cluster (started once, healed before each test) because
 * starting three JVMs costs more than the checks; the quorum test runs last since it is the roughest.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final int PARTITIONS = 3;
    private static final Map<String, String> RF3_MIN_ISR2 = Map.of("min.insync.replicas", "2");
    private static final Duration FAILOVER = Duration.ofSeconds(60);
    /** How long a node stays paused at most, well under Ratis's 60 s JVM-pause threshold. */
    private static final Duration PAUSE_LIMIT = Duration.ofSeconds(30);
    private static final int LEADER_KILLS = 3;

    @TempDir
    static Path dir;
    static SpoolCluster cluster;

    /** On a failure: the state and log tail of every node in the output, and the whole logs under target/. */
    @RegisterExtension
    static final AfterTestExecutionCallback LOGS_ON_FAILURE = SpoolCluster.logsOnFailure(() -> cluster);

    @BeforeAll
    static void startCluster() {
        cluster = SpoolCluster.start(dir.resolve("cluster"), 3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
            cluster.keepLogs("ClusterIT");
        }
    }

    @BeforeEach
    void healCluster() {
        cluster.heal();
    }

    /**
     * CreatePartitions sent to a node that is not the active controller reaches the controller through the quorum;
     * every replica of the added partitions creates its log and joins the ISR, and the replicas hold the same
     * records.
     */
    @Test
    @Order(0)
    void shouldAddReplicatedPartitionsThroughANodeThatIsNotTheController() throws Exception {
        String topic = "grown";
        cluster.createTopic(topic, 1, 3, Map.of());
        int controller = cluster.admin().describeCluster().controller().get(15, TimeUnit.SECONDS).id();
        ClusterNode other = cluster.nodes().stream().filter(n -> n.id() != controller).findFirst().orElseThrow();
        try (Admin admin = Clients.admin(other.bootstrap())) {
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(PARTITIONS))).all()
                    .get(30, TimeUnit.SECONDS);
        }
        await("every replica of the added partitions in the ISR").atMost(FAILOVER).ignoreExceptions()
                .until(() -> cluster.describe(topic).partitions().stream()
                        .filter(p -> p.leader() != null && p.isr().size() == 3).count() == PARTITIONS);
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(cluster.bootstrapServers(), Map.of())) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>(topic, i % PARTITIONS, null, ("r" + i).getBytes())).get();
            }
        }
        report(ClusterChecker.assertReplicasIdentical(cluster, topic, PARTITIONS, Duration.ofSeconds(30)));
    }

    /**
     * (a) Three nodes list each other; a replicated topic serves an idempotent producer and a group, which reads
     * every record exactly once in order and commits the end; (c) the replicas are byte-identical.
     */
    @Test
    @Order(1)
    void shouldServeAReplicatedTopicToAnIdempotentProducerAndAGroup() throws Exception {
        assertThat(cluster.admin().describeCluster().nodes().get(15, TimeUnit.SECONDS)).extracting(Node::id)
                .containsExactlyInAnyOrder(1, 2, 3);
        String topic = "replicated";
        cluster.createTopic(topic, PARTITIONS, 3, RF3_MIN_ISR2);
        for (TopicPartitionInfo p : cluster.describe(topic).partitions()) {
            assertThat(p.replicas()).as("replicas of partition %d", p.partition()).extracting(Node::id)
                    .containsExactlyInAnyOrder(1, 2, 3);
        }
        List<ContinuousProducer.Acked> acked;
        try (ContinuousProducer producer = new ContinuousProducer(cluster.bootstrapServers(), topic, PARTITIONS,
                1_000)) {
            producer.awaitAcked(3_000, "3000 records acknowledged", FAILOVER);
            producer.stop();
            acked = producer.acked();
            assertThat(producer.failures()).as("failed sends without any fault").isEmpty();
        }
        try (RecordingGroupMember member = new RecordingGroupMember(cluster.bootstrapServers(), "group-a", topic)) {
            awaitGroupCaughtUp(member, "group-a", topic);
            assertThat(member.failures()).isEmpty();
            ClusterChecker.assertGroupDelivered(member, acked, true);
        }
        report(ClusterChecker.assertExactlyOnceInOrder(readAll(topic), acked));
        report(ClusterChecker.assertReplicasIdentical(cluster, topic, PARTITIONS, Duration.ofSeconds(30)));
    }

    /**
     * (b) While the producer and a group run, the leader of partition 0 is SIGKILLed {@value #LEADER_KILLS} times
     * (each time the producer must write again before the node is restarted, and the node must be back in every
     * ISR before the next kill), then the leader of partition 1 is paused with SIGSTOP until it loses leadership and
     * resumed. Then: no fatal producer error; every acknowledged record exactly once in order; the group missed
     * nothing and no committed offset moved back, seen by the member and by an outside watcher; (c) replicas
     * byte-identical.
     */
    @Test
    @Order(2)
    void shouldKeepEveryAcknowledgedRecordWhenLeadersAreKilledAndPaused() throws Exception {
        String topic = "failover";
        String group = "group-failover";
        cluster.createTopic(topic, PARTITIONS, 3, RF3_MIN_ISR2);
        TopicPartition first = new TopicPartition(topic, 0);
        try (ContinuousProducer producer = new ContinuousProducer(cluster.bootstrapServers(), topic, PARTITIONS, 600);
                RecordingGroupMember member = new RecordingGroupMember(cluster.bootstrapServers(), group, topic);
                CommittedOffsetsWatcher watcher = new CommittedOffsetsWatcher(cluster.admin(), group)) {
            producer.awaitAcked(producer.ackedCount() + 500, "records acknowledged before any fault", FAILOVER);
            for (int kill = 1; kill <= LEADER_KILLS; kill++) {
                killLeaderAndRestart(producer, first, kill);
            }
            pauseLeaderAndResume(producer, new TopicPartition(topic, 1));
            producer.stop();
            List<ContinuousProducer.Acked> acked = producer.acked();
            report("producer: " + acked.size() + " acknowledged, " + producer.failures().size() + " failed sends: "
                    + producer.failures().stream().map(f -> f.error().getClass().getSimpleName())
                    .collect(Collectors.groupingBy(s -> s, Collectors.counting())));
            assertThat(producer.fatalFailures()).as("sends failed with a non-retriable error").isEmpty();
            awaitGroupCaughtUp(member, group, topic);
            report("group: " + member.processedCount() + " records processed, commit failures: "
                    + member.commitFailures().size() + "; watcher read the committed offsets " + watcher.answers()
                    + " times (" + watcher.unanswered() + " unanswered)");
            assertThat(member.failures()).as("errors that ended the group member's poll loop").isEmpty();
            ClusterChecker.assertGroupDelivered(member, acked, false);
            member.stop();
            watcher.stop();
            report(ClusterChecker.assertExactlyOnceInOrder(readAll(topic), acked));
            cluster.awaitFullIsr(topic, FAILOVER);
            report(ClusterChecker.assertReplicasIdentical(cluster, topic, PARTITIONS, Duration.ofSeconds(30)));
            // Last, so that a failure here still lets every check above report.
            ClusterChecker.assertCommittedOffsetsNeverMovedBack(watcher, member);
        }
    }

    private void killLeaderAndRestart(ContinuousProducer producer, TopicPartition partition, int kill)
            throws Exception {
        int leader = cluster.leaderOf(partition);
        assertThat(leader).as("leader of %s before kill %d", partition, kill).isPositive();
        int ackedBefore = producer.ackedCount();
        long start = System.nanoTime();
        cluster.kill(leader);
        int next = cluster.awaitLeaderOtherThan(partition, leader, FAILOVER);
        long elected = System.nanoTime();
        producer.awaitAcked(producer.ackedCount() + 200, "producer writing again after node " + leader + " died",
                FAILOVER);
        long writing = System.nanoTime();
        cluster.restart(leader);
        cluster.awaitFullIsr(partition.topic(), FAILOVER);
        report(String.format("kill %d: node %d (leader of %s, %d acked before) SIGKILLed; node %d led after %d ms,"
                + " producer writing again after %d ms, node %d back in every ISR after %d ms", kill, leader,
                partition, ackedBefore, next, millis(start, elected), millis(start, writing), leader,
                millis(start, System.nanoTime())));
    }

    private void pauseLeaderAndResume(ContinuousProducer producer, TopicPartition partition) throws Exception {
        int leader = cluster.leaderOf(partition);
        assertThat(leader).as("leader of %s before the pause", partition).isPositive();
        long start = System.nanoTime();
        cluster.pause(leader);
        int next;
        try {
            next = cluster.awaitLeaderOtherThan(partition, leader, PAUSE_LIMIT);
            producer.awaitAcked(producer.ackedCount() + 200, "producer writing again while node " + leader
                    + " is paused", PAUSE_LIMIT);
        } finally {
            // Even when a wait above failed: a node paused for a minute shuts its Raft server down (Ratis's JVM
            // pause monitor), which would spoil every later test of the class.
            cluster.resume(leader);
        }
        cluster.awaitBrokers(3, FAILOVER);
        cluster.awaitFullIsr(partition.topic(), FAILOVER);
        producer.awaitAcked(producer.ackedCount() + 200, "producer writing after node " + leader + " resumed",
                FAILOVER);
        report(String.format("pause: node %d (leader of %s) SIGSTOPped until node %d led, SIGCONTed; back in every"
                + " ISR after %d ms", leader, partition, next, millis(start, System.nanoTime())));
    }

    /**
     * (d) Without the active controller (one voter of three) the cluster elects another, and serves produce,
     * consume and topic creation; without a second voter no metadata change commits, so topic creation fails; with
     * both back it creates topics again.
     */
    @Test
    @Order(3)
    void shouldServeWithoutOneVoterAndStopMetadataChangesWithoutTwo() throws Exception {
        String topic = "quorum";
        cluster.createTopic(topic, PARTITIONS, 3, RF3_MIN_ISR2);
        int controller = cluster.activeController();
        int firstDown = controller > 0 ? controller : 1;
        cluster.kill(firstDown);
        cluster.awaitBrokers(2, FAILOVER);
        await("a new active controller").atMost(FAILOVER).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.activeController() > 0 && cluster.activeController() != firstDown);

        List<TopicPartition> partitions = IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p))
                .toList();
        List<ConsumerRecord<byte[], byte[]>> produced = AckedRecords.produce(cluster.bootstrapServers(), topic,
                PARTITIONS, 300, "one-down", new Random(5));
        AckedRecords.assertSame(AckedRecords.readFromBeginning(cluster.bootstrapServers(), partitions, 300),
                produced);
        cluster.createTopic("created-with-one-down", 1, 2, Map.of());
        // One replica on each live node, so that one partition keeps its leader when the next node goes.
        cluster.createTopic("single-replica", 2, 1, Map.of());

        int secondDown = cluster.nodes().stream().filter(ClusterNode::isAlive).mapToInt(ClusterNode::id)
                .findFirst().orElseThrow();
        cluster.kill(secondDown);
        ClusterNode survivor = cluster.nodes().stream().filter(ClusterNode::isAlive).findFirst().orElseThrow();
        // Without a controller, a leader that is still up goes on serving within Kafka's rules: acks=1 needs only
        // the leader (an idempotent producer would need a producer id from the controller; acks=all, the ISR).
        TopicPartition survivorsOwn = cluster.describe("single-replica").partitions().stream()
                .filter(p -> p.leader() != null && p.leader().id() == survivor.id())
                .map(p -> new TopicPartition("single-replica", p.partition())).findFirst().orElseThrow();
        List<ConsumerRecord<byte[], byte[]>> withoutController;
        try (var producer = Clients.producer(survivor.bootstrap(), Map.of(
                org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG, "1",
                org.apache.kafka.clients.producer.ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false"))) {
            withoutController = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                byte[] value = ("no-controller-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                var metadata = producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                        survivorsOwn.topic(), survivorsOwn.partition(), null, value)).get(30, TimeUnit.SECONDS);
                withoutController.add(new ConsumerRecord<>(survivorsOwn.topic(), metadata.partition(),
                        metadata.offset(), null, value));
            }
        }
        AckedRecords.assertSame(AckedRecords.readFromBeginning(survivor.bootstrap(), List.of(survivorsOwn), 50),
                withoutController);
        try (Admin admin = shortAdmin(survivor.bootstrap())) {
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("created-with-two-down", 1, (short) 1)),
                    new CreateTopicsOptions().timeoutMs(5_000)).all().get(30, TimeUnit.SECONDS))
                    .as("CreateTopics without a majority of voters")
                    .isInstanceOfAny(ExecutionException.class, TimeoutException.class);
        }

        cluster.restart(firstDown);
        cluster.restart(secondDown);
        // The second node died with no controller to fence it, so the healed cluster lists it at once, from its old
        // registration, while it registers anew (fenced until its first heartbeat): three replicas may have to wait.
        await("a topic with three replicas after healing").atMost(FAILOVER).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().untilAsserted(() -> cluster.createTopic("created-after-healing", 1, 3, Map.of()));
    }

    private static Admin shortAdmin(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(props);
    }

    /** Waits until the member has processed every record and its committed offsets are the partitions' ends. */
    private static void awaitGroupCaughtUp(RecordingGroupMember member, String group, String topic) {
        await(group + " caught up and committed the end of " + topic).atMost(FAILOVER)
                .pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                    Map<TopicPartition, Long> end = endOffsets(topic);
                    Map<TopicPartition, OffsetAndMetadata> committed = cluster.admin().listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                    return end.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                            && committed.get(e.getKey()).offset() == e.getValue()
                            && member.committed().getOrDefault(e.getKey().partition(), -1L).equals(e.getValue()));
                });
    }

    private static Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        TopicDescription description = cluster.describe(topic);
        Map<TopicPartition, OffsetSpec> latest = description.partitions().stream().collect(Collectors.toMap(
                p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
        return cluster.admin().listOffsets(latest).all().get(15, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> readAll(String topic) {
        return ClusterChecker.readAll(cluster.bootstrapServers(), topic, PARTITIONS, Duration.ofSeconds(60));
    }

    private static long millis(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    private static void report(String line) {
        System.out.println("ClusterIT: " + line);
    }
}
