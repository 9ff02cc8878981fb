package io.spool.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.message.MetadataResponseData;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;

/**
 * A cluster of 3 or 5 real Spool nodes on loopback, every one {@code broker,controller} and a voter of the metadata
 * quorum, each in its own JVM with its own data directory and log under {@code dir/node-<id>}, and the faults a test
 * injects into it: SIGKILL, SIGSTOP/SIGCONT, clean stop and restart of one node with the same id, ports and data.
 * Node ids are 1..N. Used by one test thread; {@link #close} (or a JVM shutdown) takes every node down.
 */
final class SpoolCluster implements AutoCloseable {
    /**
     * Timeouts short enough for a test to see failover within seconds, and the replication a 3-node cluster is
     * meant to run with.
     */
    static final Map<String, String> FAST_FAILOVER = Map.of(
            "broker.heartbeat.interval.ms", "500",
            "broker.session.timeout.ms", "3000",
            "replica.lag.time.max.ms", "5000",
            "offsets.topic.replication.factor", "3",
            "default.replication.factor", "3",
            "min.insync.replicas", "2",
            "group.initial.rebalance.delay.ms", "0");
    /**
     * Small heaps, and the client compiler only: four busy JVMs share two cores here, and a test run is too short
     * for the optimizing compiler to pay for itself.
     */
    static final List<String> SMALL_JVM = List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");
    private static final Duration START_LIMIT = Duration.ofSeconds(120);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final int LOG_TAIL_BYTES = 12_000;

    private final List<ClusterNode> nodes;
    private final Path dir;
    private final Map<String, String> overrides;
    private final NetworkLab lab;
    private final Map<Integer, SmallDisk> disks;
    private final Thread reaper;
    private String voters;
    private final Map<Integer, String> lastViews = new ConcurrentHashMap<>();
    private Admin admin;

    private SpoolCluster(List<ClusterNode> nodes, Path dir, Map<String, String> overrides, NetworkLab lab,
            Map<Integer, SmallDisk> disks) {
        this.nodes = new java.util.concurrent.CopyOnWriteArrayList<>(nodes);
        this.dir = dir;
        this.overrides = Map.copyOf(overrides);
        this.lab = lab;
        this.disks = disks;
        List<ClusterNode> all = this.nodes;
        this.reaper = new Thread(() -> {
            all.forEach(ClusterNode::kill);
            releaseMachineResources();
        }, "spool-cluster-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /**
     * Where the nodes run. On loopback (the default) they share 127.0.0.1, each on ports of its own. With
     * {@code isolatedNetwork} each runs in its own namespace of a {@link NetworkLab}, where the test can cut links;
     * with {@code diskBytes > 0} each node's data directory is a {@link SmallDisk} of that size, which the test can
     * fill. Both need root.
     */
    record Setup(boolean isolatedNetwork, long diskBytes) {
        static final Setup LOOPBACK = new Setup(false, 0);
    }

    /** Starts {@code size} nodes with {@link #FAST_FAILOVER} and waits until every one lists them all. */
    static SpoolCluster start(Path dir, int size) {
        return start(dir, size, Map.of());
    }

    /** Like {@link #start(Path, int)} with settings that override the defaults on every node. */
    static SpoolCluster start(Path dir, int size, Map<String, String> overrides) {
        return start(dir, size, overrides, Setup.LOOPBACK);
    }

    /** Like {@link #start(Path, int, Map)}, with the nodes placed as {@code setup} says. */
    static SpoolCluster start(Path dir, int size, Map<String, String> overrides, Setup setup) {
        List<Integer> ids = IntStream.rangeClosed(1, size).boxed().toList();
        NetworkLab lab = setup.isolatedNetwork() ? NetworkLab.create(ids) : null;
        Map<Integer, SmallDisk> disks = new LinkedHashMap<>();
        List<ClusterNode> nodes = new ArrayList<>();
        SpoolCluster cluster = new SpoolCluster(nodes, dir, overrides, lab, disks);
        try {
            List<String> hosts = new ArrayList<>();
            Set<Integer> free = new LinkedHashSet<>();
            while (lab == null && free.size() < 2 * size) {
                free.add(SpoolProcess.freePort());
            }
            List<Integer> ports = new ArrayList<>(free);
            for (int id : ids) {
                hosts.add(lab == null ? "127.0.0.1" : lab.address(id));
                if (lab != null) {
                    // In a lab every node has an address of its own and takes Kafka's usual ports.
                    ports.addAll(List.of(9092, 9093));
                }
            }
            String voters = ids.stream().map(id -> id + "@" + hosts.get(id - 1) + ":" + ports.get(2 * id - 1))
                    .collect(Collectors.joining(","));
            cluster.voters = voters;
            for (int id : ids) {
                String host = hosts.get(id - 1);
                Map<String, String> settings = new LinkedHashMap<>(FAST_FAILOVER);
                settings.put("listeners", "PLAINTEXT://" + host + ":" + ports.get(2 * id - 2) + ",CONTROLLER://"
                        + host + ":" + ports.get(2 * id - 1));
                settings.put("controller.quorum.voters", voters);
                settings.putAll(overrides);
                Path nodeDir = dir.resolve("node-" + id);
                if (setup.diskBytes() > 0) {
                    disks.put(id, SmallDisk.mount(nodeDir.resolve("data"), setup.diskBytes()));
                }
                cluster.nodes.add(new ClusterNode(id, nodeDir, host, lab == null ? List.of() : lab.exec(id),
                        ports.get(2 * id - 2), ports.get(2 * id - 1), settings, SMALL_JVM));
            }
            // All at once: a node waits at start for a majority of the voters.
            cluster.nodes.forEach(ClusterNode::launch);
            cluster.awaitBrokers(size, START_LIMIT);
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    int size() {
        return nodes.size();
    }

    /**
     * Starts one more node, a broker only ({@code process.roles=broker}: it follows the metadata quorum without
     * voting), and waits until every node lists it. Its id is the next one.
     */
    ClusterNode addBroker() {
        if (lab != null) {
            throw new UnsupportedOperationException("A cluster in a network lab has a fixed set of nodes");
        }
        int id = nodes.size() + 1;
        List<Integer> free = SpoolProcess.freePorts(2);
        int port = free.get(0);
        int metadataPort = free.get(1);
        Map<String, String> settings = new LinkedHashMap<>(FAST_FAILOVER);
        settings.put("process.roles", "broker");
        settings.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + metadataPort);
        settings.put("controller.quorum.voters", voters);
        settings.putAll(overrides);
        ClusterNode node = new ClusterNode(id, dir.resolve("node-" + id), port, metadataPort, settings, SMALL_JVM);
        nodes.add(node);
        node.launch();
        awaitBrokers(nodes.size(), START_LIMIT);
        return node;
    }

    /** The node with id {@code id} (1-based). */
    ClusterNode node(int id) {
        return nodes.get(id - 1);
    }

    List<ClusterNode> nodes() {
        return nodes;
    }

    /** The network the nodes run in, where links can be cut; fails when they run on loopback. */
    NetworkLab network() {
        if (lab == null) {
            throw new IllegalStateException("This cluster runs on loopback; start it with Setup.isolatedNetwork");
        }
        return lab;
    }

    /** Whether the nodes run in a {@link NetworkLab}. */
    boolean hasNetworkLab() {
        return lab != null;
    }

    /** Node {@code id}'s own small data disk; fails when the cluster was started without them. */
    SmallDisk disk(int id) {
        SmallDisk disk = disks.get(id);
        if (disk == null) {
            throw new IllegalStateException("Node " + id + " has no disk of its own; start it with Setup.diskBytes");
        }
        return disk;
    }

    /** Whether every node has a {@link SmallDisk} of its own. */
    boolean hasSmallDisks() {
        return !disks.isEmpty();
    }

    /** Every node's client listener, for {@code bootstrap.servers}. */
    String bootstrapServers() {
        return nodes.stream().map(ClusterNode::bootstrap).collect(Collectors.joining(","));
    }

    /** An Admin client over the whole cluster, kept until {@link #close}. */
    Admin admin() {
        if (admin == null) {
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
            props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
            props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "100");
            admin = Admin.create(props);
        }
        return admin;
    }

    /** SIGKILL of node {@code id}; returns once the process is gone. */
    void kill(int id) {
        node(id).kill();
    }

    /** SIGSTOP of node {@code id}. */
    void pause(int id) {
        node(id).pause();
    }

    /** SIGCONT of node {@code id}. */
    void resume(int id) {
        node(id).resume();
    }

    /** SIGTERM of node {@code id} (a clean, controlled shutdown), waiting up to a minute for it to exit. */
    void stop(int id) {
        node(id).terminate();
        node(id).awaitExit(Duration.ofSeconds(60));
    }

    /**
     * Starts node {@code id} again, with its id, ports, settings and data, once its old process has exited, and
     * waits until every running node lists every running node as a broker again.
     */
    void restart(int id) {
        ClusterNode node = node(id);
        if (node.isAlive()) {
            throw new IllegalStateException(node + " is still running; kill or stop it first");
        }
        node.launch();
        awaitBrokers((int) nodes.stream().filter(ClusterNode::isAlive).count(), START_LIMIT);
    }

    /** Resumes paused nodes and restarts dead ones: the cluster whole again, as a test expects to find it. */
    void heal() {
        nodes.stream().filter(ClusterNode::isPaused).forEach(ClusterNode::resume);
        nodes.stream().filter(n -> !n.isAlive()).forEach(ClusterNode::launch);
        awaitBrokers(size(), START_LIMIT);
    }

    /**
     * Waits until every serving node (running, not paused) lists exactly {@code count} brokers in its own Metadata
     * answer (a fenced or dead broker is not listed) and all of them name the same active controller.
     *
     * @throws AssertionError naming what each node saw, with the tails of their logs, after {@code limit}, or at
     *         once when a node that was running when the wait began has exited
     */
    void awaitBrokers(int count, Duration limit) {
        lastViews.clear();
        List<ClusterNode> running = nodes.stream().filter(ClusterNode::isAlive).toList();
        try {
            await("every serving node lists " + count + " brokers and the same controller").atMost(limit)
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        for (ClusterNode node : running) {
                            if (!node.isAlive()) {
                                throw new AssertionError(node.id() + " exited with " + node.exitCode()
                                        + " while the cluster was expected to form" + logTails());
                            }
                        }
                        Set<Integer> controllers = new HashSet<>();
                        boolean all = true;
                        for (ClusterNode node : nodes) {
                            MetadataResponseData metadata = node.isServing() ? probe(node) : null;
                            if (node.isServing() && (metadata == null || metadata.brokers().size() != count)) {
                                all = false;
                            } else if (metadata != null) {
                                controllers.add(metadata.controllerId());
                            }
                        }
                        return all && controllers.size() == 1;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("Cluster did not reach " + count + " brokers within " + limit + "; last views: "
                    + lastViews + "\n" + logTails(), e);
        }
    }

    /** {@code node}'s Metadata answer, or null when it does not answer; remembered for a failure message. */
    private MetadataResponseData probe(ClusterNode node) {
        try {
            MetadataResponseData metadata = node.metadata(PROBE_TIMEOUT);
            List<Integer> ids = metadata.brokers().stream().map(b -> b.nodeId()).sorted().toList();
            lastViews.put(node.id(), "brokers " + ids + ", controller " + metadata.controllerId());
            return metadata;
        } catch (RuntimeException | AssertionError e) {
            lastViews.put(node.id(), "no answer: " + e.getMessage());
            return null;
        }
    }

    /** The active controller as a serving node reports it (the metadata quorum's leader), or -1 if none answers. */
    int activeController() {
        for (ClusterNode node : nodes) {
            if (node.isServing()) {
                try {
                    return node.metadata(PROBE_TIMEOUT).controllerId();
                } catch (RuntimeException | AssertionError e) {
                    // Try the next node.
                }
            }
        }
        return -1;
    }

    /**
     * Creates a topic and waits until every partition has a leader and a full ISR. A TopicExistsException is taken
     * as success when the topic has the requested shape: the Admin client retries a CreateTopics that failed with a
     * retriable error (NOT_CONTROLLER when the quorum's leader changed under the request), and the first attempt may
     * have committed.
     */
    void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs)
            throws Exception {
        try {
            admin().createTopics(List.of(new NewTopic(name, partitions, (short) replicationFactor).configs(configs)))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
            TopicDescription existing = describe(name);
            if (existing.partitions().size() != partitions
                    || existing.partitions().get(0).replicas().size() != replicationFactor) {
                throw e;
            }
            System.out.println("SpoolCluster: CreateTopics of " + name + " answered TopicExists on a retry; the topic"
                    + " has the requested " + partitions + " partitions x " + replicationFactor + " replicas");
        }
        await("leaders and full ISRs of " + name).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> describe(name).partitions().stream()
                        .allMatch(p -> p.leader() != null && p.isr().size() == replicationFactor));
    }

    TopicDescription describe(String topic) throws Exception {
        return admin().describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic);
    }

    /** The leader of {@code partition} as the cluster's metadata says, or -1 when it has none. */
    int leaderOf(TopicPartition partition) throws Exception {
        Node leader = partitionInfo(partition).leader();
        return leader == null || leader.isEmpty() ? -1 : leader.id();
    }

    /** The ISR of {@code partition}, by node id. */
    Set<Integer> isrOf(TopicPartition partition) throws Exception {
        return partitionInfo(partition).isr().stream().map(Node::id).collect(Collectors.toSet());
    }

    private TopicPartitionInfo partitionInfo(TopicPartition partition) throws Exception {
        return describe(partition.topic()).partitions().get(partition.partition());
    }

    /** Waits until {@code partition} is led by a serving node other than {@code not}; returns that leader. */
    int awaitLeaderOtherThan(TopicPartition partition, int not, Duration limit) {
        int[] leader = {-1};
        await("a new leader of " + partition + " other than node " + not).atMost(limit)
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                    leader[0] = leaderOf(partition);
                    return leader[0] > 0 && leader[0] != not && node(leader[0]).isServing();
                });
        return leader[0];
    }

    /** Waits until every partition of {@code topic} has every replica in its ISR. */
    void awaitFullIsr(String topic, Duration limit) {
        await("full ISR of every partition of " + topic).atMost(limit).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> describe(topic).partitions().stream()
                        .allMatch(p -> p.leader() != null && p.isr().size() == p.replicas().size()));
    }

    /** The directory of {@code partition}'s log on node {@code id}. */
    Path partitionDir(int id, TopicPartition partition) {
        return node(id).dataDir().resolve(partition.topic() + "-" + partition.partition());
    }

    /** The state and the tail of the log of every node, for a failure message. */
    String logTails() {
        StringBuilder text = new StringBuilder();
        for (ClusterNode node : nodes) {
            text.append("\n----- ").append(node).append(": last ").append(LOG_TAIL_BYTES).append(" bytes of ")
                    .append(node.logFile()).append(" -----\n").append(node.logTail(LOG_TAIL_BYTES));
        }
        return text.toString();
    }

    /**
     * A callback for a test class whose tests share one cluster (a static field, read through {@code cluster} when a
     * test ends): after a failed test it prints the state and log tail of every node (and the cut links, in a
     * {@link NetworkLab}) and keeps the whole logs under {@code target/cluster-logs/<class>-<test>}.
     */
    static AfterTestExecutionCallback logsOnFailure(Supplier<SpoolCluster> cluster) {
        return context -> {
            SpoolCluster current = cluster.get();
            if (context.getExecutionException().isPresent() && current != null) {
                String name = context.getRequiredTestClass().getSimpleName() + "-"
                        + context.getRequiredTestMethod().getName();
                String cuts = current.lab == null ? "" : "; cuts " + current.lab.cuts();
                System.err.println(name + " failed" + cuts + "; the nodes:" + current.logTails());
                current.keepLogs(name);
            }
        };
    }

    /** Copies every node's whole log to {@code target/cluster-logs/<name>/}, where it outlives the temp dir. */
    void keepLogs(String name) {
        Path target = Path.of("target", "cluster-logs", name);
        try {
            Files.createDirectories(target);
            for (ClusterNode node : nodes) {
                if (Files.exists(node.logFile())) {
                    Files.copy(node.logFile(), target.resolve("node-" + node.id() + ".log"),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            System.err.println("Cannot keep the cluster's logs in " + target + ": " + e);
        }
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
        // SIGTERM to all first, so their shutdowns overlap instead of each waiting for the others.
        nodes.forEach(ClusterNode::terminate);
        nodes.forEach(n -> n.awaitExit(Duration.ofSeconds(20)));
        releaseMachineResources();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down and the reaper runs anyway.
        }
    }

    /** Unmounts the nodes' disks and removes the network lab, once the nodes are down. */
    private void releaseMachineResources() {
        disks.values().forEach(SmallDisk::close);
        disks.clear();
        if (lab != null) {
            lab.close();
        }
    }
}
