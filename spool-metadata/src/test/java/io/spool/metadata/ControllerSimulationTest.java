package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * Seeded random runs of brokers registering, heartbeating, shutting down, going silent and changing ISRs, of
 * operators reassigning partitions and electing leaders, of the leader rebalance, and of the controller losing and
 * regaining its role, with named invariants checked after every step. A failure names its seed; {@link #run(long)}
 * with that seed replays it.
 */
class ControllerSimulationTest {
    private static final int BROKERS = 5;
    private static final int STEPS = 300;

    /** A property of every image, or of every step from one image to the next. */
    interface Invariant {
        void check(MetadataImage before, MetadataImage after);
    }

    /**
     * Every ISR is a list of distinct replicas, empty only with ELR enabled; an ELR is a list of distinct replicas
     * outside the ISR, empty with ELR disabled or when the ISR has at least the topic's effective min ISR.
     */
    record IsrIsDistinctReplicas(boolean elr) implements Invariant {
        @Override
        public void check(MetadataImage before, MetadataImage after) {
            for (TopicImage topic : after.topics().all()) {
                int minIsr = Integer.parseInt(after.configs().topicConfigs(topic.name())
                        .getOrDefault("min.insync.replicas", "1"));
                topic.partitions().values().forEach(p -> {
                    assertThat(p.isr()).as("ISR of %s", p).doesNotHaveDuplicates();
                    assertThat(p.replicas()).as("replicas of %s", p).containsAll(p.isr()).containsAll(p.elr());
                    assertThat(p.elr()).as("ELR of %s", p).doesNotHaveDuplicates().noneMatch(p.isr()::contains);
                    if (!elr) {
                        assertThat(p.isr()).as("ISR of %s", p).isNotEmpty();
                        assertThat(p.elr()).as("ELR of %s", p).isEmpty();
                    } else if (p.isr().size() >= Math.min(minIsr, p.replicas().size())) {
                        assertThat(p.elr()).as("ELR of %s (min ISR %d)", p, minIsr).isEmpty();
                    }
                });
            }
        }
    }

    /**
     * A leader is an unfenced member of the ISR. A partition without one has, with ELR disabled, only a fenced
     * broker in its ISR; with ELR enabled, an empty ISR and only fenced brokers in its ELR.
     */
    record LeaderIsUnfencedIsrMember(boolean elr) implements Invariant {
        @Override
        public void check(MetadataImage before, MetadataImage after) {
            ClusterImage cluster = after.cluster();
            partitions(after).forEach(p -> {
                if (p.leader() == PartitionRecord.NO_LEADER && !elr) {
                    assertThat(p.isr()).as("leaderless %s", p).hasSize(1);
                    assertThat(cluster.isFenced(p.isr().get(0))).as("leaderless %s", p).isTrue();
                } else if (p.leader() == PartitionRecord.NO_LEADER) {
                    assertThat(p.isr()).as("leaderless %s", p).isEmpty();
                    assertThat(p.elr()).as("leaderless %s", p).allMatch(cluster::isFenced);
                } else {
                    assertThat(p.isr()).as("ISR of %s", p).contains(p.leader());
                    assertThat(cluster.isFenced(p.leader())).as("leader of %s fenced", p).isFalse();
                    assertThat(p.lastKnownElr()).as("last known leader of %s", p).isEmpty();
                }
            });
        }
    }

    /**
     * A fenced broker is in an ISR only as its sole member (never, with ELR enabled), so it cannot hold up acks=all
     * writes.
     */
    record FencedBrokerIsOnlyASoleIsrMember(boolean elr) implements Invariant {
        @Override
        public void check(MetadataImage before, MetadataImage after) {
            partitions(after).forEach(p -> {
                if (p.isr().size() > 1 || elr) {
                    assertThat(p.isr()).as("ISR of %s", p).allMatch(id -> !after.cluster().isFenced(id));
                }
            });
        }
    }

    /** Epochs never go back; a change bumps the partition epoch, a new leader the leader epoch. */
    static final class EpochsMoveForward implements Invariant {
        @Override
        public void check(MetadataImage before, MetadataImage after) {
            for (TopicImage topic : before.topics().all()) {
                TopicImage next = after.topics().byId(topic.id()).orElseThrow();
                topic.partitions().forEach((index, p) -> {
                    PartitionRecord q = next.partition(index);
                    assertThat(q.leaderEpoch()).as("%s -> %s", p, q).isGreaterThanOrEqualTo(p.leaderEpoch());
                    if (!q.equals(p)) {
                        assertThat(q.partitionEpoch()).as("%s -> %s", p, q).isGreaterThan(p.partitionEpoch());
                    }
                    if (q.leader() != p.leader()) {
                        assertThat(q.leaderEpoch()).as("%s -> %s", p, q).isGreaterThan(p.leaderEpoch());
                    }
                });
            }
            before.cluster().registrations().forEach((id, r) -> assertThat(
                    after.cluster().registration(id).orElseThrow().epoch()).isGreaterThanOrEqualTo(r.epoch()));
        }
    }

    /** A snapshot of the image rebuilds it. */
    static final class SnapshotRebuildsImage implements Invariant {
        @Override
        public void check(MetadataImage before, MetadataImage after) {
            MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
            after.toRecords().forEach(delta::replay);
            assertThat(delta.apply(after.offset())).isEqualTo(after);
        }
    }

    /**
     * A reassignment names distinct replicas of its partition, adding or removing at least one; the removing ones
     * are last, after the target.
     */
    static final class ReassignmentFitsReplicas implements Invariant {
        @Override
        public void check(MetadataImage before, MetadataImage after) {
            for (TopicImage topic : after.topics().all()) {
                topic.reassignments().forEach((index, r) -> {
                    PartitionRecord p = topic.partition(index);
                    assertThat(r.inProgress()).as("%s", r).isTrue();
                    List<Integer> named = new ArrayList<>(r.adding());
                    named.addAll(r.removing());
                    assertThat(named).as("%s of %s", r, p).doesNotHaveDuplicates();
                    assertThat(p.replicas()).as("%s of %s", r, p).containsAll(named)
                            .endsWith(r.removing().toArray(Integer[]::new));
                });
            }
        }
    }

    /** A reassignment whose adding replicas are all in sync, with an in-sync member of its target, is complete. */
    static final class ReassignmentCompletesOnceItCan implements Invariant {
        @Override
        public void check(MetadataImage before, MetadataImage after) {
            for (TopicImage topic : after.topics().all()) {
                topic.reassignments().forEach((index, r) -> {
                    PartitionRecord p = topic.partition(index);
                    Reassignment reassignment = topic.reassignment(index).orElseThrow();
                    boolean completable = p.isr().containsAll(r.adding())
                            && p.isr().stream().anyMatch(reassignment.target()::contains);
                    assertThat(completable).as("%s of %s", r, p).isFalse();
                });
            }
        }
    }

    private static List<Invariant> invariants(boolean elr) {
        return List.of(new IsrIsDistinctReplicas(elr), new LeaderIsUnfencedIsrMember(elr),
                new FencedBrokerIsOnlyASoleIsrMember(elr), new EpochsMoveForward(), new SnapshotRebuildsImage(),
                new ReassignmentFitsReplicas(), new ReassignmentCompletesOnceItCan());
    }

    @Test
    void shouldKeepInvariantsInEveryRandomRun() {
        for (long seed = 0; seed < 20; seed++) {
            try {
                run(seed, true);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("Simulation failed with seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void shouldKeepInvariantsInEveryRandomRunWithElrDisabled() {
        for (long seed = 0; seed < 10; seed++) {
            try {
                run(seed, false);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("Simulation (ELR disabled) failed with seed " + seed + ": "
                        + e.getMessage(), e);
            }
        }
    }

    /** One seeded run, with eligible leader replicas enabled or not. */
    private static void run(long seed, boolean elr) {
        List<Invariant> invariants = invariants(elr);
        try (Simulation simulation = new Simulation(new Random(seed), elr)) {
            for (int step = 0; step < STEPS; step++) {
                MetadataImage before = simulation.cluster.quorum.image();
                String action = simulation.step();
                MetadataImage after = simulation.cluster.quorum.image();
                for (Invariant invariant : invariants) {
                    try {
                        invariant.check(before, after);
                    } catch (AssertionError e) {
                        throw new AssertionError(invariant.getClass().getSimpleName() + " broken at step " + step
                                + " (" + action + "): " + e.getMessage(), e);
                    }
                }
            }
        }
    }

    private static List<PartitionRecord> partitions(MetadataImage image) {
        List<PartitionRecord> all = new ArrayList<>();
        image.topics().all().forEach(t -> all.addAll(t.partitions().values()));
        return all;
    }

    /** The brokers' side of the run: what each knows, and one random action per step. */
    private static final class Simulation implements AutoCloseable {
        private final Random random;
        private final TestCluster cluster;
        private final Map<Integer, Long> lastContactMs = new HashMap<>();
        private boolean active = true;
        /** Whether the controller's last operation found it active: it starts sessions afresh when it was not. */
        private boolean controllerWasActive;
        private int topics;

        Simulation(Random random, boolean elr) {
            this.random = random;
            this.cluster = new TestCluster(ControllerSettings.defaults().withBrokerConfigs(Map.of(
                    ReplicationControl.ELR_VERSION, elr ? "1" : "0")));
        }

        String step() {
            int dice = random.nextInt(100);
            if (active ? dice < 2 : dice < 30) {
                active = !active;
                cluster.quorum.setActiveController(active);
                return "active=" + active;
            }
            if (dice < 16) {
                return register(random.nextInt(BROKERS));
            }
            if (dice < 46) {
                return heartbeat();
            }
            if (dice < 60) {
                return expire(random.nextInt((int) TestCluster.SESSION_TIMEOUT_MS / 2));
            }
            if (dice < 68) {
                return createTopic();
            }
            if (dice < 84) {
                return alterPartition();
            }
            if (dice < 92) {
                return reassign();
            }
            if (dice < 97) {
                return electLeaders();
            }
            beforeControllerOperation();
            return "check leader imbalance -> " + cluster.controller.checkLeaderImbalance().join();
        }

        /** Mirrors the controller's fresh start of every session when an operation finds it newly active. */
        private void beforeControllerOperation() {
            if (active && !controllerWasActive) {
                long now = cluster.clock.millis();
                cluster.quorum.image().cluster().registrations().keySet().forEach(id -> lastContactMs.put(id, now));
            }
            controllerWasActive = active;
        }

        private String register(int id) {
            beforeControllerOperation();
            // A broker that stopped cleanly names the epoch it had; one that crashed names -1.
            long previousEpoch = cluster.registeredEpoch(id).filter(e -> random.nextBoolean()).orElse(-1L);
            BrokerRegistrationReply reply = cluster.register(id, random.nextBoolean() ? "a" : "b", previousEpoch);
            assertThat(reply.error()).isEqualTo(active ? Errors.NONE : Errors.NOT_CONTROLLER);
            if (reply.error() == Errors.NONE) {
                lastContactMs.put(id, cluster.clock.millis());
            }
            return "register " + id + " -> " + reply;
        }

        private String heartbeat() {
            List<Integer> registered = new ArrayList<>(cluster.quorum.image().cluster().registrations().keySet());
            if (registered.isEmpty()) {
                return "no broker to heartbeat";
            }
            int id = registered.get(random.nextInt(registered.size()));
            boolean shutDown = random.nextInt(20) == 0;
            boolean fence = random.nextInt(30) == 0;
            long offset = cluster.quorum.image().offset() - (random.nextInt(10) == 0 ? 1 : 0);
            beforeControllerOperation();
            BrokerHeartbeatReply reply = cluster.controller.heartbeat(id, cluster.epoch(id), offset, fence, shutDown)
                    .join();
            assertThat(reply.error()).isEqualTo(active ? Errors.NONE : Errors.NOT_CONTROLLER);
            if (reply.error() == Errors.NONE) {
                lastContactMs.put(id, cluster.clock.millis());
                assertThat(reply.fenced()).isEqualTo(cluster.fenced(id));
                assertThat(reply.shouldShutDown()).isEqualTo(shutDown);
            }
            return "heartbeat " + id + " fence=" + fence + " shutDown=" + shutDown + " -> " + reply;
        }

        private String expire(int advanceMs) {
            cluster.clock.advance(advanceMs);
            long now = cluster.clock.millis();
            beforeControllerOperation();
            List<Integer> unfencedBefore = List.copyOf(cluster.quorum.image().cluster().unfencedBrokerIds());
            cluster.controller.checkSessions().join();
            if (active) {
                for (int id : unfencedBefore) {
                    long silentMs = now - lastContactMs.getOrDefault(id, now);
                    assertThat(cluster.fenced(id)).as("broker %d silent for %d ms", id, silentMs)
                            .isEqualTo(silentMs > TestCluster.SESSION_TIMEOUT_MS);
                }
            }
            return "advance " + advanceMs + " ms and check sessions";
        }

        private String createTopic() {
            int partitions = 1 + random.nextInt(3);
            int replicationFactor = 1 + random.nextInt(3);
            String name = "t" + topics++;
            beforeControllerOperation();
            Map<String, String> configs = Map.of("min.insync.replicas", String.valueOf(1 + random.nextInt(3)));
            List<CreateTopicResult> results = cluster.controller.createTopics(List.of(new CreateTopicSpec(name,
                    partitions, (short) replicationFactor, Map.of(), configs)), false).join();
            return "create " + name + " -> " + results.get(0).error();
        }

        private String alterPartition() {
            List<PartitionRecord> led = partitions(cluster.quorum.image()).stream()
                    .filter(p -> p.leader() != PartitionRecord.NO_LEADER).toList();
            if (led.isEmpty()) {
                return "no partition to alter";
            }
            PartitionRecord p = led.get(random.nextInt(led.size()));
            MetadataImage before = cluster.quorum.image();
            List<Integer> isr = new ArrayList<>(p.replicas());
            Collections.shuffle(isr, random);
            isr = new ArrayList<>(isr.subList(0, 1 + random.nextInt(isr.size())));
            if (!isr.contains(p.leader()) && random.nextInt(4) != 0) {
                isr.set(0, p.leader());
            }
            int partitionEpoch = p.partitionEpoch() - (random.nextInt(10) == 0 ? 1 : 0);
            beforeControllerOperation();
            AlterPartitionReply reply = cluster.controller.alterPartition(p.leader(), cluster.epoch(p.leader()),
                    p.topicId(), p.partition(), p.leaderEpoch(), partitionEpoch, isr).join();
            Uuid topic = p.topicId();
            Optional<Reassignment> reassignment = before.reassignment(topic, p.partition());
            boolean completed = reassignment.isPresent()
                    && cluster.quorum.image().reassignment(topic, p.partition()).isEmpty();
            if (reply.error() == Errors.NONE || reply.error() == Errors.NEW_LEADER_ELECTED) {
                assertThat(cluster.partition(topic, p.partition())).isEqualTo(reply.partition());
                assertThat(reply.partition().isr()).isEqualTo(completed
                        ? isr.stream().filter(reassignment.get().target()::contains).toList() : isr);
                assertThat(reply.error() == Errors.NEW_LEADER_ELECTED)
                        .isEqualTo(completed && reply.partition().leader() != p.leader());
            }
            return "alter " + p + " to " + isr + " -> " + reply.error() + (completed ? ", completed" : "");
        }

        /** Reassigns a random partition to random brokers, or cancels its reassignment. */
        private String reassign() {
            MetadataImage image = cluster.quorum.image();
            List<TopicImage> topics = new ArrayList<>(image.topics().all());
            if (topics.isEmpty()) {
                return "no partition to reassign";
            }
            topics.sort(Comparator.comparing(TopicImage::name));
            TopicImage topic = topics.get(random.nextInt(topics.size()));
            TopicPartition tp = new TopicPartition(topic.name(), random.nextInt(topic.partitions().size()));
            Optional<List<Integer>> target = Optional.empty();
            if (random.nextInt(4) != 0) {
                List<Integer> brokers = new ArrayList<>(List.of(0, 1, 2, 3, 4));
                Collections.shuffle(brokers, random);
                target = Optional.of(brokers.subList(0, 1 + random.nextInt(3)));
            }
            beforeControllerOperation();
            ReassignmentResult result = cluster.controller.alterPartitionReassignments(Map.of(tp, target)).join()
                    .get(0);
            if (!active) {
                assertThat(result.error()).isEqualTo(Errors.NOT_CONTROLLER);
            }
            return "reassign " + tp + " to " + target + " -> " + result;
        }

        /** A preferred or unclean election of some partitions, or of all. */
        private String electLeaders() {
            boolean unclean = random.nextInt(3) == 0;
            List<TopicPartition> partitions = null;
            if (random.nextBoolean()) {
                partitions = new ArrayList<>();
                for (TopicImage topic : new TreeMap<>(cluster.quorum.image().topics().topicsByName()).values()) {
                    for (int index : topic.partitions().keySet()) {
                        if (random.nextInt(3) == 0) {
                            partitions.add(new TopicPartition(topic.name(), index));
                        }
                    }
                }
            }
            beforeControllerOperation();
            try {
                List<ElectLeaderResult> results = cluster.controller.electLeaders(unclean, partitions).join();
                return "elect unclean=" + unclean + " " + partitions + " -> " + results;
            } catch (CompletionException e) {
                assertThat(active).isFalse();
                assertThat(e).hasCauseInstanceOf(NotControllerException.class);
                return "elect unclean=" + unclean + " all -> not controller";
            }
        }

        @Override
        public void close() {
            cluster.close();
        }
    }
}
