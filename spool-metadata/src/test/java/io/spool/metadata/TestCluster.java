package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * A controller over a {@link LocalMetadataQuorum} with a hand-moved clock and no background session or leader
 * imbalance checks, plus shortcuts for the broker side: register, heartbeat, let sessions expire, change an ISR as
 * the leader. Not thread-safe.
 */
final class TestCluster implements AutoCloseable {
    static final String CLUSTER_ID = "test-cluster";
    static final long SESSION_TIMEOUT_MS = 9000;

    final LocalMetadataQuorum quorum = new LocalMetadataQuorum();
    final MutableClock clock = new MutableClock(1_000_000);
    final Controller controller;
    private final Map<Integer, Long> epochs = new HashMap<>();

    TestCluster() {
        this(ControllerSettings.defaults());
    }

    TestCluster(ControllerSettings settings) {
        controller = new Controller(quorum, clock, settings.withClusterId(CLUSTER_ID)
                .withBrokerSessionTimeoutMs(SESSION_TIMEOUT_MS).withSessionCheckIntervalMs(0)
                .withLeaderImbalanceCheckIntervalMs(0));
    }

    /** Registers and unfences the brokers. */
    TestCluster withBrokers(int... ids) {
        for (int id : ids) {
            register(id, null);
            assertThat(heartbeat(id).fenced()).isFalse();
        }
        return this;
    }

    /** Registers a broker that names no previous epoch (as after an unclean shutdown). */
    BrokerRegistrationReply register(int id, String rack) {
        return register(id, rack, -1);
    }

    /** Registers a broker that names this previous broker epoch (its epoch at a clean shutdown, or -1). */
    BrokerRegistrationReply register(int id, String rack, long previousBrokerEpoch) {
        BrokerRegistrationReply reply = controller.registerBroker(id, CLUSTER_ID,
                List.of(new Endpoint("PLAINTEXT", "localhost", 9092 + id)), rack, previousBrokerEpoch).join();
        if (reply.error() == Errors.NONE) {
            epochs.put(id, reply.brokerEpoch());
        }
        return reply;
    }

    /** The epoch the image has the broker registered with, if it is registered. */
    java.util.Optional<Long> registeredEpoch(int id) {
        return quorum.image().cluster().registration(id).map(BrokerRegistration::epoch);
    }

    long epoch(int id) {
        return epochs.get(id);
    }

    /** A plain heartbeat from a broker that has applied the whole log. */
    BrokerHeartbeatReply heartbeat(int id) {
        return controller.heartbeat(id, epoch(id), quorum.image().offset(), false, false).join();
    }

    BrokerHeartbeatReply shutDown(int id) {
        return controller.heartbeat(id, epoch(id), quorum.image().offset(), false, true).join();
    }

    /** Lets the session timeout pass, with heartbeats from {@code alive} only, and runs the expiry check. */
    void expireAllBut(int... alive) {
        clock.advance(SESSION_TIMEOUT_MS / 2);
        for (int id : alive) {
            heartbeat(id);
        }
        clock.advance(SESSION_TIMEOUT_MS / 2 + 1);
        controller.checkSessions().join();
    }

    /** Creates a topic with this manual assignment and returns its id. */
    Uuid topic(String name, Map<Integer, List<Integer>> assignments) {
        return topic(name, assignments, Map.of());
    }

    Uuid topic(String name, Map<Integer, List<Integer>> assignments, Map<String, String> configs) {
        CreateTopicResult result = controller.createTopics(List.of(new CreateTopicSpec(name, -1, (short) -1,
                assignments, configs)), false).join().get(0);
        assertThat(result.error()).isEqualTo(Errors.NONE);
        return result.topicId();
    }

    PartitionRecord partition(Uuid topicId, int partition) {
        return quorum.image().topics().byId(topicId).orElseThrow().partition(partition);
    }

    /** The partition's leader changes its ISR, naming the current epochs. */
    AlterPartitionReply alterIsr(Uuid topicId, int partition, Integer... newIsr) {
        PartitionRecord p = partition(topicId, partition);
        return controller.alterPartition(p.leader(), epoch(p.leader()), topicId, partition, p.leaderEpoch(),
                p.partitionEpoch(), List.of(newIsr)).join();
    }

    boolean fenced(int id) {
        return quorum.image().cluster().isFenced(id);
    }

    /** The last appended batch. */
    List<MetadataRecord> lastBatch() {
        return quorum.log().get(quorum.log().size() - 1);
    }

    @Override
    public void close() {
        controller.close();
    }
}
