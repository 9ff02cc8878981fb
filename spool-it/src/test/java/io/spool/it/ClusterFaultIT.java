package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded random fault run: while an idempotent {@code acks=all} producer writes to an RF=3,
 * {@code min.insync.replicas=2} topic and a consumer group reads and commits it, {@link RandomNodeFaults} kills
 * partition leaders, the active controller and other nodes with SIGKILL, pauses nodes with SIGSTOP, stops them
 * cleanly, cuts nodes off the network or one link between a leader and a follower (each node runs in its own network
 * namespace of a {@link NetworkLab}), and fills nodes' disks ({@link SmallDisk}), round after round, until the run's
 * time is up. After each round every node must serve again, the producer
 * must write to every partition again, and every partition must get its full ISR back before the next round. At the
 * end: every acknowledged record is read back exactly once, in order; the group delivered all of them; no committed
 * offset moved back; the replicas are byte-identical.
 *
 * <p>Settings (system properties): {@code spool.fault.seed} (1), {@code spool.fault.duration.s} (60: how long new
 * rounds start), {@code spool.fault.nodes} (3 or 5), {@code spool.fault.network} ({@code namespaces}, which needs
 * root, iproute2 and nftables; or {@code loopback}: no network or disk faults, the default under
 * {@code -Dspool.it.privileged=false}, see {@link PrivilegedFaults}). The defaults are the short run of
 * {@code ./mvnw verify};
 * docs/operations.md gives the command for a long one. A failure names its seed, and keeps the nodes' logs under
 * {@code target/cluster-logs/ClusterFaultIT-seed-<seed>}.
 */
class ClusterFaultIT {
    private static final String TOPIC = "faults";
    private static final String GROUP = "faults-group";
    private static final String OFFSETS_TOPIC = "__consumer_offsets";
    private static final int PARTITIONS = 3;
    private static final int RECORDS_PER_SECOND = 300;
    /** How many records each partition must acknowledge after a round to count as writing again. */
    private static final int WRITING_AGAIN = 10;
    private static final Duration NODES_BACK = Duration.ofSeconds(120);
    private static final Duration RECOVERY = Duration.ofSeconds(60);
    /** Each node's disk: room for the run, small enough to fill in a moment. */
    private static final long DISK_BYTES = 256L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryAcknowledgedRecordThroughSeededRandomFaults() throws Exception {
        long seed = Long.getLong("spool.fault.seed", 1L);
        int seconds = Integer.getInteger("spool.fault.duration.s", 60);
        int nodes = Integer.getInteger("spool.fault.nodes", 3);
        String network = System.getProperty("spool.fault.network",
                PrivilegedFaults.enabled() ? "namespaces" : "loopback");
        String replay = "-Dspool.fault.seed=" + seed + " -Dspool.fault.duration.s=" + seconds + " -Dspool.fault.nodes="
                + nodes + " -Dspool.fault.network=" + network;
        assertThat(nodes).as("spool.fault.nodes").isIn(3, 5);
        assertThat(network).as("spool.fault.network").isIn("namespaces", "loopback");
        boolean isolated = network.equals("namespaces");
        if (isolated) {
            PrivilegedFaults.require();
        }
        report("seed " + seed + ", " + nodes + " nodes, " + seconds + " s of faults, network " + network
                + " (replay with " + replay + ")");
        SpoolCluster cluster = SpoolCluster.start(dir.resolve("cluster"), nodes, Map.of(),
                new SpoolCluster.Setup(isolated, isolated ? DISK_BYTES : 0));
        try {
            new Run(cluster, seed, Duration.ofSeconds(seconds)).run();
        } catch (Throwable e) {
            System.err.println("ClusterFaultIT with seed " + seed + " failed; the nodes:" + cluster.logTails());
            throw new AssertionError("ClusterFaultIT failed with seed " + seed + " (replay with " + replay + "): "
                    + e.getMessage(), e);
        } finally {
            cluster.close();
            cluster.keepLogs("ClusterFaultIT-seed-" + seed);
        }
    }

    /** One run over a started cluster. */
    private static final class Run {
        private final SpoolCluster cluster;
        private final long seed;
        private final Duration duration;
        private final RandomNodeFaults faults;

        Run(SpoolCluster cluster, long seed, Duration duration) {
            this.cluster = cluster;
            this.seed = seed;
            this.duration = duration;
            this.faults = new RandomNodeFaults(cluster, TOPIC, PARTITIONS, seed);
        }

        void run() throws Exception {
            cluster.createTopic(TOPIC, PARTITIONS, 3, Map.of("min.insync.replicas", "2"));
            try (ContinuousProducer producer = new ContinuousProducer(cluster.bootstrapServers(), TOPIC, PARTITIONS,
                    RECORDS_PER_SECOND);
                    RecordingGroupMember member = new RecordingGroupMember(cluster.bootstrapServers(), GROUP, TOPIC);
                    CommittedOffsetsWatcher watcher = new CommittedOffsetsWatcher(cluster.admin(), GROUP)) {
                awaitStarted(producer, member);
                int rounds = injectFaults(producer);
                check(producer, member, watcher, rounds);
            }
        }

        /** Before any fault: the producer writes, the group consumes, and its offsets partition has a full ISR. */
        private void awaitStarted(ContinuousProducer producer, RecordingGroupMember member) {
            awaitWriting(producer, "before any fault");
            await("the group consuming").atMost(RECOVERY).pollInterval(Duration.ofMillis(100))
                    .until(() -> member.processedCount() > 0 && !member.committed().isEmpty());
            awaitFullIsr("before any fault");
        }

        /** Rounds of faults until the duration is up; each ends with the cluster whole and writing again. */
        private int injectFaults(ContinuousProducer producer) throws Exception {
            long end = System.nanoTime() + duration.toNanos();
            int round = 0;
            while (System.nanoTime() < end) {
                round++;
                long start = System.nanoTime();
                List<RandomNodeFaults.Fault> done = faults.round();
                String what = "round " + round + " (" + done + ")";
                cluster.awaitBrokers(cluster.size(), NODES_BACK);
                long serving = System.nanoTime();
                awaitWriting(producer, "after " + what);
                long writing = System.nanoTime();
                awaitFullIsr("after " + what);
                report(String.format("%s: every node serving after %d ms, producer writing on every partition after"
                        + " %d ms, every ISR full after %d ms", what, millis(start, serving), millis(start, writing),
                        millis(start, System.nanoTime())));
            }
            return round;
        }

        /** Waits until every partition acknowledged {@value #WRITING_AGAIN} more records; fails with the logs. */
        private void awaitWriting(ContinuousProducer producer, String when) {
            long[] before = new long[PARTITIONS];
            for (int p = 0; p < PARTITIONS; p++) {
                before[p] = producer.ackedCount(p);
            }
            try {
                await("producer writing to every partition " + when).atMost(RECOVERY)
                        .pollInterval(Duration.ofMillis(50)).until(() -> {
                            assertThat(producer.fatalFailures()).as("fatal producer errors").isEmpty();
                            for (int p = 0; p < PARTITIONS; p++) {
                                if (producer.ackedCount(p) < before[p] + WRITING_AGAIN) {
                                    return false;
                                }
                            }
                            return true;
                        });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("The producer did not write to every partition again within " + RECOVERY
                        + " " + when + "; acknowledged per partition before " + Arrays.toString(before)
                        + ", now " + ackedPerPartition(producer) + ", failed sends " + producer.failures().size()
                        + cluster.logTails(), e);
            }
        }

        /** Waits until every partition of the topic and of the offsets topic has its full ISR; fails with the logs. */
        private void awaitFullIsr(String when) {
            for (String topic : List.of(TOPIC, OFFSETS_TOPIC)) {
                try {
                    cluster.awaitFullIsr(topic, RECOVERY);
                } catch (ConditionTimeoutException e) {
                    throw new AssertionError("Not every partition of " + topic + " had its full ISR within " + RECOVERY
                            + " " + when + ": " + isrs(topic) + cluster.logTails(), e);
                }
            }
        }

        private void check(ContinuousProducer producer, RecordingGroupMember member, CommittedOffsetsWatcher watcher,
                int rounds) throws Exception {
            producer.stop();
            List<ContinuousProducer.Acked> acked = producer.acked();
            report("producer: " + acked.size() + " acknowledged, " + producer.failures().size() + " failed sends "
                    + producer.failures().stream().map(f -> f.error().getClass().getSimpleName())
                    .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting())));
            assertThat(producer.fatalFailures()).as("sends failed with a non-retriable error").isEmpty();
            awaitGroupCaughtUp(member);
            report("group: " + member.processedCount() + " records processed, " + member.commitFailures().size()
                    + " failed commits; the watcher read the committed offsets " + watcher.answers() + " times ("
                    + watcher.unanswered() + " unanswered)");
            assertThat(member.failures()).as("errors that ended the group member's poll loop").isEmpty();
            ClusterChecker.assertGroupDelivered(member, acked, false);
            member.stop();
            watcher.stop();
            report(ClusterChecker.assertExactlyOnceInOrder(
                    ClusterChecker.readAll(cluster.bootstrapServers(), TOPIC, PARTITIONS, RECOVERY), acked));
            awaitFullIsr("at the end");
            report(ClusterChecker.assertReplicasIdentical(cluster, TOPIC, PARTITIONS, Duration.ofSeconds(30)));
            ClusterChecker.assertCommittedOffsetsNeverMovedBack(watcher, member);
            assertThat(faults.anomalies()).as("faults the nodes did not take as they should").isEmpty();
            report("summary: seed " + seed + ", " + cluster.size() + " nodes, " + rounds + " rounds, faults "
                    + faults.counts() + ", " + acked.size() + " records acknowledged, " + producer.failures().size()
                    + " failed sends, longest producer stall " + producer.longestStallMillis() + " ms");
        }

        /** Waits until the member has processed every record and committed the end of every partition. */
        private void awaitGroupCaughtUp(RecordingGroupMember member) {
            await(GROUP + " caught up and committed the end of " + TOPIC).atMost(RECOVERY)
                    .pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                        Map<TopicPartition, Long> end = endOffsets();
                        Map<TopicPartition, OffsetAndMetadata> committed = cluster.admin()
                                .listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()
                                .get(10, TimeUnit.SECONDS);
                        return end.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                                && committed.get(e.getKey()).offset() == e.getValue()
                                && member.committed().getOrDefault(e.getKey().partition(), -1L)
                                .equals(e.getValue()));
                    });
        }

        private Map<TopicPartition, Long> endOffsets() throws Exception {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
            }
            return cluster.admin().listOffsets(latest).all().get(15, TimeUnit.SECONDS).entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }

        private String isrs(String topic) {
            try {
                return cluster.describe(topic).partitions().stream()
                        .filter(p -> p.isr().size() != p.replicas().size())
                        .map(p -> p.partition() + ": leader " + p.leader() + ", replicas " + ids(p.replicas())
                                + ", ISR " + ids(p.isr()))
                        .collect(Collectors.joining("; ", "partitions without a full ISR: ", ""));
            } catch (Exception e) {
                return "cannot describe " + topic + ": " + e;
            }
        }

        private static String ackedPerPartition(ContinuousProducer producer) {
            StringBuilder counts = new StringBuilder("[");
            for (int p = 0; p < PARTITIONS; p++) {
                counts.append(p == 0 ? "" : ", ").append(producer.ackedCount(p));
            }
            return counts.append(']').toString();
        }
    }

    private static String ids(List<Node> nodes) {
        return nodes.stream().map(n -> Integer.toString(n.id())).collect(Collectors.joining(",", "[", "]"));
    }

    private static long millis(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    private static void report(String line) {
        System.out.println("ClusterFaultIT: " + line);
    }
}
