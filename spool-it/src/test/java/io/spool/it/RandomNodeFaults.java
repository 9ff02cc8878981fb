package io.spool.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;

/**
 * Seeded random faults on the nodes of a {@link SpoolCluster}, one round at a time. A round takes one node out (on a
 * cluster of five, one or two at once, so a majority of voters and {@code min.insync.replicas} stay reachable) by
 * SIGKILL of a partition's leader, SIGKILL of a node (the active controller half the time), SIGSTOP, or a clean stop
 * (SIGTERM); on a cluster in a {@link NetworkLab} also by cutting a node off everyone (a partition's leader half the
 * time) or cutting the link between a partition's leader and one of its followers; on a cluster with
 * {@link SmallDisk}s also by filling a node's disk (it stops at its next write). It brings the node back after a
 * random while: a killed or stopped node is started again after 0–5 s, a paused one resumed and a cut link restored
 * after 1–10 s; a node whose disk is full must stop within 30 s, and is started again on an emptied disk after
 * 0–5 s (or when it stopped, if later). Every fault takes the same
 * draws from the one {@link Random}, whatever it turns out to be, so a seed replays the same kinds, durations and
 * choices (which node they hit depends also on who leads at the time). Used by one test thread.
 */
final class RandomNodeFaults {
    /** What a fault did to its node. */
    enum Kind {
        KILL_LEADER, KILL_CONTROLLER, KILL_NODE, PAUSE, CLEAN_STOP, ISOLATE, CUT_LINK, DISK_FULL
    }

    /** A fault injected into {@code node} (and {@code peer}, the other end of a cut link, or -1), and how long. */
    record Fault(Kind kind, int node, int peer, String detail, long outMillis) {
        Fault(Kind kind, int node, String detail) {
            this(kind, node, -1, detail, 0);
        }

        @Override
        public String toString() {
            return kind + " of node " + node + (peer < 0 ? "" : " and node " + peer)
                    + (detail.isEmpty() ? "" : " (" + detail + ")") + ", out " + outMillis + " ms";
        }
    }

    /** The draws of one fault: which kind, partition and node, and the random durations. */
    private record Draw(int kind, int partition, int nodeIndex, boolean controller, long downMillis,
            long pauseMillis, long staggerMillis) {
        static Draw next(Random random, int kinds, int partitions) {
            return new Draw(random.nextInt(kinds), random.nextInt(partitions), random.nextInt(1 << 16),
                    random.nextBoolean(), random.nextInt(5_001), 1_000 + random.nextInt(9_001),
                    random.nextInt(2_001));
        }

        /** Faults that block nothing as they start, and end after 1–10 s. */
        boolean isPause() {
            return kind == 2 || kind == 4 || kind == 5;
        }
    }

    /** A fault whose node is out until {@code backNanos}. */
    private record Out(Fault fault, long sinceNanos, long backNanos) {
    }

    /** A clean stop that takes longer than this is cut short with SIGKILL and reported as an anomaly. */
    static final Duration STOP_LIMIT = Duration.ofSeconds(60);
    /** The exit status of a node that stopped because its log directory failed. */
    static final int LOG_DIR_FAILURE_EXIT = 1;
    /** How long a node whose disk is full may take to stop at its next write. */
    static final Duration DISK_FULL_STOP_LIMIT = Duration.ofSeconds(30);

    private final SpoolCluster cluster;
    private final String topic;
    private final int partitions;
    private final Random random;
    private final int maxOut;
    private final int kinds;
    private final EnumMap<Kind, Integer> counts = new EnumMap<>(Kind.class);
    private final List<String> anomalies = new ArrayList<>();

    /** Faults on {@code cluster}, leaders taken from the partitions of {@code topic}, drawn from {@code seed}. */
    RandomNodeFaults(SpoolCluster cluster, String topic, int partitions, long seed) {
        this.cluster = cluster;
        this.topic = topic;
        this.partitions = partitions;
        this.random = new Random(seed);
        this.maxOut = (cluster.size() - 1) / 2;
        this.kinds = !cluster.hasNetworkLab() ? 4 : cluster.hasSmallDisks() ? 7 : 6;
    }

    /**
     * Injects one round of faults and undoes each when its time is up: a dead node is launched again, a paused one
     * resumed. Returns when every node is running again (not when it serves: that is the caller's wait).
     */
    List<Fault> round() throws Exception {
        int count = 1 + random.nextInt(maxOut);
        List<Draw> draws = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            draws.add(Draw.next(random, kinds, partitions));
        }
        // Pauses last: injecting one blocks nothing, so no later injection (a clean stop may take seconds) can
        // stretch a pause past its time.
        draws.sort(Comparator.comparing(Draw::isPause));
        Set<Integer> taken = new HashSet<>();
        List<Out> outs = new ArrayList<>();
        for (int i = 0; i < draws.size(); i++) {
            Draw draw = draws.get(i);
            if (i > 0) {
                sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(draw.staggerMillis()));
            }
            Fault fault = inject(draw, taken);
            taken.add(fault.node());
            taken.add(fault.peer());
            long now = System.nanoTime();
            long out = draw.isPause() ? draw.pauseMillis() : draw.downMillis();
            outs.add(new Out(fault, now, now + TimeUnit.MILLISECONDS.toNanos(out)));
        }
        outs.sort(Comparator.comparingLong(Out::backNanos));
        List<Fault> done = new ArrayList<>();
        for (Out out : outs) {
            sleepUntil(out.backNanos());
            bringBack(out.fault());
            Fault fault = out.fault();
            done.add(new Fault(fault.kind(), fault.node(), fault.peer(), fault.detail(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - out.sinceNanos())));
            counts.merge(fault.kind(), 1, Integer::sum);
        }
        return done;
    }

    private Fault inject(Draw draw, Set<Integer> taken) throws Exception {
        List<Integer> serving = cluster.nodes().stream().filter(ClusterNode::isServing).map(ClusterNode::id)
                .filter(id -> !taken.contains(id)).toList();
        int any = serving.get(draw.nodeIndex() % serving.size());
        switch (draw.kind()) {
            case 0 -> {
                TopicPartition partition = new TopicPartition(topic, draw.partition());
                int known = leaderOf(partition);
                int leader = orElse(known, serving, any);
                cluster.kill(leader);
                return new Fault(Kind.KILL_LEADER, leader, leader == known ? "leader of " + partition
                        : "no serving leader of " + partition + " known, so a random node");
            }
            case 1 -> {
                int controller = activeController();
                int target = draw.controller() ? orElse(controller, serving, any) : any;
                cluster.kill(target);
                return new Fault(target == controller ? Kind.KILL_CONTROLLER : Kind.KILL_NODE, target, "");
            }
            case 2 -> {
                cluster.pause(any);
                return new Fault(Kind.PAUSE, any, "");
            }
            case 3 -> {
                return cleanStop(any);
            }
            case 4 -> {
                TopicPartition partition = new TopicPartition(topic, draw.partition());
                int target = draw.controller() ? orElse(leaderOf(partition), serving, any) : any;
                cluster.network().isolate(target);
                return new Fault(Kind.ISOLATE, target, target == any ? "" : "leader of " + partition);
            }
            case 5 -> {
                return cutLink(draw, serving, taken, any);
            }
            default -> {
                long bytes = cluster.disk(any).fill();
                return new Fault(Kind.DISK_FULL, any, "filled with " + bytes + " bytes");
            }
        }
    }

    /** Cuts a partition's leader off one of its followers (any two serving nodes when the leader is unknown). */
    private Fault cutLink(Draw draw, List<Integer> serving, Set<Integer> taken, int any) {
        TopicPartition partition = new TopicPartition(topic, draw.partition());
        int leader = orElse(leaderOf(partition), serving, any);
        List<Integer> peers = cluster.nodes().stream().filter(ClusterNode::isServing).map(ClusterNode::id)
                .filter(id -> id != leader && !taken.contains(id)).toList();
        if (peers.isEmpty()) {
            cluster.network().isolate(leader);
            return new Fault(Kind.ISOLATE, leader, "no other node to cut a link to");
        }
        int peer = peers.get((draw.nodeIndex() >> 8) % peers.size());
        cluster.network().cut(leader, peer);
        return new Fault(Kind.CUT_LINK, leader, peer, leader == any ? "" : "leader of " + partition + " and a peer",
                0);
    }

    private Fault cleanStop(int id) {
        ClusterNode node = cluster.node(id);
        long start = System.nanoTime();
        node.terminate();
        node.awaitExit(STOP_LIMIT);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // 137 is SIGKILL: awaitExit's last resort when the controlled shutdown did not end within the limit.
        if (node.exitCode() == 137) {
            anomalies.add("clean stop of node " + id + " did not end within " + STOP_LIMIT + "; it was killed");
        }
        return new Fault(Kind.CLEAN_STOP, id, "stopped in " + took + " ms, exit code " + node.exitCode());
    }

    private void bringBack(Fault fault) {
        switch (fault.kind()) {
            case PAUSE -> cluster.resume(fault.node());
            case ISOLATE -> cluster.network().rejoin(fault.node());
            case CUT_LINK -> cluster.network().restore(fault.node(), fault.peer());
            case DISK_FULL -> {
                // It writes all the time (it replicates every partition), so it meets the full disk and stops;
                // only then is the disk emptied and the node started again.
                ClusterNode node = cluster.node(fault.node());
                boolean stopped = node.waitForExit(DISK_FULL_STOP_LIMIT);
                cluster.disk(fault.node()).free();
                if (!stopped) {
                    anomalies.add("node " + node.id() + " still ran " + DISK_FULL_STOP_LIMIT
                            + " after its disk filled");
                    return;
                }
                if (node.exitCode() != LOG_DIR_FAILURE_EXIT) {
                    anomalies.add("node " + node.id() + " exited " + node.exitCode() + " on a full disk, not "
                            + LOG_DIR_FAILURE_EXIT);
                }
                node.launch();
            }
            default -> cluster.node(fault.node()).launch();
        }
    }

    /** The leader of {@code partition} as the cluster's metadata says, or -1 when it cannot tell. */
    private int leaderOf(TopicPartition partition) {
        try {
            return cluster.leaderOf(partition);
        } catch (Exception e) {
            return -1;
        }
    }

    /** The active controller as the Admin client's describeCluster names it, or -1. */
    private int activeController() {
        try {
            Node controller = cluster.admin().describeCluster().controller().get(10, TimeUnit.SECONDS);
            return controller == null || controller.isEmpty() ? -1 : controller.id();
        } catch (Exception e) {
            return -1;
        }
    }

    private static int orElse(int wanted, List<Integer> serving, int fallback) {
        return serving.contains(wanted) ? wanted : fallback;
    }

    private static void sleepUntil(long nanos) {
        for (long wait = nanos - System.nanoTime(); wait > 0; wait = nanos - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
    }

    /** How many faults of each kind were injected and undone. */
    Map<Kind, Integer> counts() {
        return new EnumMap<>(counts);
    }

    /** What went wrong in injecting or undoing a fault that the node itself is to blame for. */
    List<String> anomalies() {
        return List.copyOf(anomalies);
    }
}
