package io.spool.broker;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.spool.broker.fetch.FetchHandler;
import io.spool.broker.handler.BrokerContext;
import io.spool.broker.handler.CreateTopicsHandler;
import io.spool.broker.handler.DeleteTopicsHandler;
import io.spool.broker.handler.DescribeClusterHandler;
import io.spool.broker.handler.DescribeConfigsHandler;
import io.spool.broker.handler.DescribeProducersHandler;
import io.spool.broker.handler.ListOffsetsHandler;
import io.spool.broker.handler.MetadataHandler;
import io.spool.broker.handler.ProduceHandler;
import io.spool.broker.handler.TopicConfigView;
import io.spool.broker.network.NetworkServer;
import io.spool.broker.network.RequestDispatcher;
import io.spool.broker.network.RequestHandler;
import io.spool.broker.cluster.BrokerLifecycle;
import io.spool.broker.cluster.ControllerApis;
import io.spool.broker.cluster.ControllerChannel;
import io.spool.broker.cluster.ControllerWire;
import io.spool.broker.replica.Partition;
import io.spool.broker.replica.ReplicaFetchers;
import io.spool.broker.replica.ReplicaManager;
import io.spool.metadata.Controller;
import io.spool.metadata.ControllerSettings;
import io.spool.metadata.Endpoint;
import io.spool.metadata.MetadataQuorum;
import io.spool.metadata.RatisMetadataQuorum;
import io.spool.storage.LogCleaner;
import io.spool.storage.LogManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Spool node: owns the metadata quorum member and their lifecycle; on a controller ({@code process.roles}
 * has {@code controller}) the controller, on a broker the log manager, the replicas, the group coordinator and the
 * network server. A dedicated controller ({@code process.roles=controller}) has no broker listener, no partition
 * logs and no broker registration: it votes, and serves the controller requests that brokers send through the
 * quorum while it leads. {@link #start} returns once the node answers requests; {@link #close} stops it cleanly
 * (flushes logs and writes the clean-shutdown marker). Thread-safe.
 */
public final class SpoolServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolServer.class);
    private static final long CONTROLLED_SHUTDOWN_TIMEOUT_MS = 10_000;

    private final ServerConfig config;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private NetworkServer network;
    private boolean closed;

    private SpoolServer(ServerConfig config) {
        this.config = config;
    }

    /** Starts a node and returns when it serves requests. */
    public static SpoolServer start(ServerConfig config) {
        SpoolServer server = new SpoolServer(config);
        try {
            server.doStart();
        } catch (IOException e) {
            server.close();
            throw new UncheckedIOException("Failed to start Spool node " + config.nodeId(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            throw new IllegalStateException("Interrupted while starting", e);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void doStart() throws IOException, InterruptedException {
        long startNs = System.nanoTime();
        Clock clock = Clock.systemUTC();
        // A dedicated controller keeps nothing but the metadata log; it formats the directory that holds it.
        String clusterId = MetaProperties.loadOrFormat(config.isBroker() ? config.logDirs()
                : List.of(config.metadataLogDir()), config.nodeId(), proposedClusterId());
        MetadataQuorum quorum = config.isController()
                ? new RatisMetadataQuorum(config.nodeId(), voterAddresses(), config.metadataLogDir(), clusterId)
                : RatisMetadataQuorum.listener(config.nodeId(), metadataListenerAddress(), voterAddresses(),
                        config.metadataLogDir(), clusterId);
        closeables.add(0, quorum);
        TopicConfigView topicConfigs = new TopicConfigView(config);
        ControllerApis controllerApis = config.isController()
                ? startController(quorum, topicConfigs, clusterId, clock) : null;
        ControllerChannel channel = new ControllerChannel(config.nodeId(), quorum, controllerApis);
        closeables.add(0, channel);
        BrokerParts broker = config.isBroker() ? openBroker(quorum, channel, topicConfigs, clusterId, clock) : null;

        quorum.start();

        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                new DefaultThreadFactory("spool-log-retention", true));
        closeables.add(0, scheduler::shutdownNow);
        scheduler.scheduleWithFixedDelay(() -> {
            if (!quorum.isRunning() && !closed) {
                LOG.error("The metadata quorum member of node {} stopped on its own; stopping the node",
                        config.nodeId());
                new Thread(this::close, "spool-fail-stop").start();
            }
        }, 1, 1, TimeUnit.SECONDS);
        List<Endpoint> endpoints = broker == null ? List.of() : startBroker(broker, scheduler);
        LOG.info("Spool node {} ({}) of cluster {} serving on {} (started in {} ms)", config.nodeId(),
                config.valueAsString("process.roles"), clusterId, broker == null
                        ? "the metadata quorum only" : endpoints,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
    }

    /**
     * The controller of a voter: it serves the controller requests other nodes send through the quorum while this
     * node leads it. Called before the quorum starts, so that this node never leads without serving them.
     */
    private ControllerApis startController(MetadataQuorum quorum, TopicConfigView topicConfigs, String clusterId,
            Clock clock) {
        Controller controller = new Controller(quorum, clock, controllerSettings(clusterId));
        closeables.add(0, controller);
        Map<Integer, Endpoint> voterEndpoints = new HashMap<>();
        String controllerListener = config.controllerListenerNames().get(0);
        config.quorumVoters().forEach((id, l) -> voterEndpoints.put(id, new Endpoint(controllerListener, l.host(),
                l.port())));
        ControllerApis controllerApis = new ControllerApis(controller, topicConfigs, quorum, voterEndpoints);
        quorum.serveControllerRequests(ControllerWire.server(controllerApis::handle));
        return controllerApis;
    }

    /** What a broker keeps between opening its parts (before the quorum starts) and serving. */
    private record BrokerParts(BrokerContext context, TopicConfigView topicConfigs, LogManager logs,
            BrokerCoordinators coordinators, BrokerLifecycle lifecycle) {
        MetadataQuorum quorum() {
            return context.quorum();
        }

        ReplicaManager replicas() {
            return context.replicas();
        }
    }

    /** Opens the logs and the broker's components, and subscribes them to the metadata before it is replayed. */
    private BrokerParts openBroker(MetadataQuorum quorum, ControllerChannel channel, TopicConfigView topicConfigs,
            String clusterId, Clock clock) {
        LogManager logs = LogManager.open(config.logDirs(), clock);
        logs.onLogDirFailure(new LogDirFailStop());
        closeables.add(logs);
        ReplicaManager replicas = new ReplicaManager(config.nodeId(), logs, topicConfigs::logConfig,
                overrides -> Integer.parseInt(topicConfigs.value(overrides, "min.insync.replicas")), clock);
        closeables.add(0, replicas::shutdown);
        BrokerContext context = new BrokerContext(config, clusterId, quorum, channel, replicas, clock);
        BrokerCoordinators coordinators = new BrokerCoordinators(config, context);
        closeables.add(0, coordinators);
        quorum.addListener(replicas);
        coordinators.subscribe(quorum);
        String rack = config.getString("broker.rack").isEmpty() ? null : config.getString("broker.rack");
        BrokerLifecycle lifecycle = new BrokerLifecycle(config.nodeId(), clusterId, rack, quorum, channel,
                config.getLong("broker.heartbeat.interval.ms"));
        // KIP-966: the controller tells a clean restart from a crash by the epoch the last clean stop recorded.
        lifecycle.setPreviousBrokerEpoch(logs.cleanShutdownBrokerEpoch());
        logs.recordBrokerEpochAtClose(lifecycle::brokerEpoch);
        ReplicaFetchers fetchers = new ReplicaFetchers(config.nodeId(), logs, lifecycle::brokerEpoch,
                new ReplicaFetchers.Settings(config.getInt("replica.fetch.wait.max.ms"), 1,
                        config.getInt("replica.fetch.response.max.bytes"), config.getInt("replica.fetch.max.bytes"),
                        config.getInt("replica.fetch.backoff.ms")));
        closeables.add(0, fetchers);
        replicas.connect(fetchers, (partition, isr) -> alterIsr(channel, lifecycle, partition, isr),
                config.getString("inter.broker.listener.name"));
        return new BrokerParts(context, topicConfigs, logs, coordinators, lifecycle);
    }

    /**
     * Binds the broker listeners, registers with the active controller (wherever it runs) and waits until it has
     * unfenced this broker and the registration is in this node's metadata; then takes up the replicas and, ready to
     * serve, starts accepting connections.
     */
    private List<Endpoint> startBroker(BrokerParts broker, ScheduledExecutorService scheduler) throws IOException,
            InterruptedException {
        BrokerContext context = broker.context();
        network = new NetworkServer(networkSettings(), handlers(context, broker.topicConfigs(), broker.coordinators()));
        closeables.add(0, network);
        List<Endpoint> endpoints = new ArrayList<>();
        for (Listener listener : config.brokerListeners()) {
            int port = network.bind(listener.name(), listener.host(), listener.port());
            endpoints.add(advertised(listener, port));
        }
        BrokerLifecycle lifecycle = broker.lifecycle();
        closeables.add(0, lifecycle);
        if (config.getBoolean("controlled.shutdown.enable")) {
            // Runs before the network stops, so the controller (maybe this node) can still be reached.
            closeables.add(0, () -> lifecycle.controlledShutdown(CONTROLLED_SHUTDOWN_TIMEOUT_MS));
        }
        try {
            lifecycle.start(endpoints).get();
        } catch (ExecutionException e) {
            throw new IOException("Broker " + config.nodeId() + " could not join the cluster", e.getCause());
        }
        // Only an image that holds this broker's registration is known to hold everything committed before it: a
        // replica manager reconciling its logs against an older image would delete the logs of topics it does not
        // know yet.
        awaitOwnRegistration(broker.quorum(), lifecycle.brokerEpoch());
        broker.replicas().activate(broker.quorum().image());
        broker.coordinators().activate(broker.quorum().image());
        network.startAccepting();
        scheduleBrokerTasks(scheduler, broker.replicas(), broker.logs());
        if (config.getBoolean("log.cleaner.enable") && config.getInt("log.cleaner.threads") > 0) {
            broker.logs().startCleaner(new LogCleaner.Settings(config.getLong("log.cleaner.backoff.ms"),
                    config.getLong("log.cleaner.dedupe.buffer.size"),
                    config.getDouble("log.cleaner.io.buffer.load.factor"), config.getInt("log.cleaner.io.buffer.size")));
        }
        return endpoints;
    }

    private void scheduleBrokerTasks(ScheduledExecutorService scheduler, ReplicaManager replicas, LogManager logs) {
        long maxLag = config.getLong("replica.lag.time.max.ms");
        scheduler.scheduleWithFixedDelay(() -> runSafely(() -> replicas.shrinkLaggingIsrs(maxLag)), maxLag / 2,
                maxLag / 2, TimeUnit.MILLISECONDS);
        long interval = config.getLong("log.retention.check.interval.ms");
        scheduler.scheduleWithFixedDelay(() -> runSafely(logs::runRetentionAndRoll), interval, interval,
                TimeUnit.MILLISECONDS);
        long checkpoints = config.getLong("log.flush.offset.checkpoint.interval.ms");
        scheduler.scheduleWithFixedDelay(() -> runSafely(logs::writeCheckpoints), checkpoints, checkpoints,
                TimeUnit.MILLISECONDS);
    }

    private static RequestDispatcher handlers(BrokerContext broker, TopicConfigView topicConfigs,
            BrokerCoordinators coordinators) {
        RequestDispatcher.Builder builder = RequestDispatcher.builder();
        // Clients ask any broker; they are answered by the active controller, wherever that is. The APIs nodes call
        // on the controller (BrokerRegistration, BrokerHeartbeat, AlterPartition, AllocateProducerIds) reach it
        // through the metadata quorum, never through a broker listener.
        builder.register(ApiKeys.DESCRIBE_QUORUM, 0, 2, forwarded(broker, () ->
                        new org.apache.kafka.common.message.DescribeQuorumResponseData()
                                .setErrorCode(Errors.NOT_CONTROLLER.code())))
                .register(ApiKeys.ELECT_LEADERS, 0, 2, forwarded(broker, () ->
                        new org.apache.kafka.common.message.ElectLeadersResponseData()
                                .setErrorCode(Errors.NOT_CONTROLLER.code())))
                .register(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, 0, 1, forwarded(broker, () ->
                        new org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData()
                                .setErrorCode(Errors.NOT_CONTROLLER.code())))
                .register(ApiKeys.LIST_PARTITION_REASSIGNMENTS, 0, 0, forwarded(broker, () ->
                        new org.apache.kafka.common.message.ListPartitionReassignmentsResponseData()
                                .setErrorCode(Errors.NOT_CONTROLLER.code())));
        coordinators.register(builder, broker);
        return builder
                .register(ApiKeys.PRODUCE, 3, 13, new ProduceHandler(broker, coordinators.transactionalAppends()))
                .register(ApiKeys.FETCH, 4, 17, new FetchHandler(broker, 1000))
                .register(ApiKeys.LIST_OFFSETS, 1, 11, new ListOffsetsHandler(broker))
                .register(ApiKeys.OFFSET_FOR_LEADER_EPOCH, 2, 4,
                        new io.spool.broker.handler.OffsetForLeaderEpochHandler(broker))
                .register(ApiKeys.METADATA, 0, 13, new MetadataHandler(broker))
                .register(ApiKeys.CREATE_TOPICS, 2, 7, new CreateTopicsHandler(broker))
                .register(ApiKeys.DELETE_TOPICS, 1, 6, new DeleteTopicsHandler(broker))
                .register(ApiKeys.CREATE_PARTITIONS, 0, 3,
                        new io.spool.broker.handler.CreatePartitionsHandler(broker))
                .register(ApiKeys.DESCRIBE_CONFIGS, 1, 4, new DescribeConfigsHandler(broker, topicConfigs))
                .register(ApiKeys.ALTER_CONFIGS, 0, 2, new io.spool.broker.handler.AlterConfigsHandler(broker))
                .register(ApiKeys.INCREMENTAL_ALTER_CONFIGS, 0, 1,
                        new io.spool.broker.handler.AlterConfigsHandler(broker))
                .register(ApiKeys.DESCRIBE_LOG_DIRS, 1, 4, new io.spool.broker.handler.DescribeLogDirsHandler(broker))
                .register(ApiKeys.DELETE_RECORDS, 0, 2,
                        new io.spool.broker.handler.DeleteRecordsHandler(broker, topicConfigs))
                .register(ApiKeys.DESCRIBE_CLUSTER, 0, 2, new DescribeClusterHandler(broker))
                .register(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, 0, 0,
                        new io.spool.broker.handler.DescribeTopicPartitionsHandler(broker::image,
                                broker.config().getInt("max.request.partition.size.limit")))
                .register(ApiKeys.DESCRIBE_PRODUCERS, 0, 0, new DescribeProducersHandler(broker))
                .apiVersions(0, 4)
                .build();
    }

    /** A handler that sends the request on to the active controller and relays its answer. */
    private static RequestHandler forwarded(BrokerContext broker,
            java.util.function.Supplier<org.apache.kafka.common.protocol.ApiMessage> notController) {
        return (request, connection) -> broker.controller()
                .call(request.apiKey(), request.apiVersion(), request.body(), 30_000)
                .exceptionally(e -> notController.get());
    }

    private void awaitOwnRegistration(MetadataQuorum quorum, long brokerEpoch) throws IOException,
            InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (quorum.image().cluster().registration(config.nodeId()).map(r -> r.epoch() < brokerEpoch)
                .orElse(true)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("Broker " + config.nodeId() + " registration (epoch " + brokerEpoch
                        + ") did not reach its metadata within 60 s");
            }
            Thread.sleep(1);
        }
    }

    /** Asks the controller to set a led partition's ISR; completes when it has answered. */
    private static CompletableFuture<Boolean> alterIsr(ControllerChannel channel, BrokerLifecycle lifecycle,
            Partition partition, List<Integer> isr) {
        AlterPartitionRequestData.PartitionData data = new AlterPartitionRequestData.PartitionData()
                .setPartitionIndex(partition.topicPartition().partition()).setLeaderEpoch(partition.leaderEpoch())
                .setPartitionEpoch(partition.partitionEpoch());
        isr.forEach(id -> data.newIsrWithEpochs().add(new AlterPartitionRequestData.BrokerState().setBrokerId(id)
                .setBrokerEpoch(-1)));
        AlterPartitionRequestData request = new AlterPartitionRequestData().setBrokerId(lifecycle.nodeId())
                .setBrokerEpoch(lifecycle.brokerEpoch());
        request.topics().add(new AlterPartitionRequestData.TopicData().setTopicId(partition.topicId())
                .setPartitions(new ArrayList<>(List.of(data))));
        return channel.call(ApiKeys.ALTER_PARTITION, request, 30_000).handle((r, error) -> {
            if (error != null) {
                // No answer: the change may have been committed, so it keeps counting until the metadata says.
                LOG.info("ISR change of {} to {} failed: {}", partition.topicPartition(), isr, error.getMessage());
                return true;
            }
            AlterPartitionResponseData response = (AlterPartitionResponseData) r;
            boolean accepted = response.errorCode() == Errors.NONE.code();
            for (AlterPartitionResponseData.TopicData t : response.topics()) {
                for (AlterPartitionResponseData.PartitionData p : t.partitions()) {
                    // NEW_LEADER_ELECTED: committed, and it completed a reassignment that moved the leadership.
                    if (p.errorCode() != Errors.NONE.code() && p.errorCode() != Errors.NEW_LEADER_ELECTED.code()) {
                        accepted = false;
                        // Usually stale: the metadata that says why is on its way to this node.
                        LOG.debug("ISR change of {} to {} refused: {}", partition.topicPartition(), isr,
                                Errors.forCode(p.errorCode()));
                    }
                }
            }
            return accepted;
        });
    }

    private Endpoint advertised(Listener bound, int port) throws UnknownHostException {
        Listener advertised = config.advertisedListeners().stream().filter(l -> l.name().equals(bound.name()))
                .findFirst().orElse(bound);
        String host = advertised.host().isEmpty() ? InetAddress.getLocalHost().getCanonicalHostName()
                : advertised.host();
        int advertisedPort = advertised.port() == 0 || advertised == bound ? port : advertised.port();
        return new Endpoint(bound.name(), host, advertisedPort);
    }

    /**
     * The id a fresh node formats its directories with: {@code cluster.id} if set (what Kafka's
     * {@code kafka-storage format --cluster-id} does), else, for a quorum of several voters, one derived from the
     * voter list, so that the nodes of one cluster agree without a format step; a single node (the only voter, and
     * a broker too) picks a random one. A dedicated controller and its brokers derive theirs, even from one voter.
     */
    private String proposedClusterId() {
        String configured = config.getString("cluster.id");
        if (!configured.isEmpty()) {
            return configured;
        }
        Map<Integer, Listener> voters = config.quorumVoters();
        if (voters.size() <= 1 && config.isBroker() && config.isController()) {
            return null;
        }
        StringBuilder key = new StringBuilder("spool-voters:");
        new java.util.TreeMap<>(voters).forEach((id, l) -> key.append(id).append('@').append(l.host()).append(':')
                .append(l.port()).append(','));
        java.util.UUID uuid = java.util.UUID.nameUUIDFromBytes(key.toString()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new org.apache.kafka.common.Uuid(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits())
                .toString();
    }

    /**
     * Where a broker-only node receives the metadata log: its controller listener (a Spool broker needs one; a
     * Kafka broker does not, as it fetches the log over the Kafka protocol).
     */
    private InetSocketAddress metadataListenerAddress() {
        Listener listener = config.controllerListener().orElseThrow(() -> new InvalidConfigException(
                "A broker-only node (process.roles=broker) receives the metadata log on a "
                        + String.join(",", config.controllerListenerNames()) + " listener; add one to listeners"));
        return new InetSocketAddress(listener.host(), listener.port());
    }

    private Map<Integer, InetSocketAddress> voterAddresses() {
        Map<Integer, InetSocketAddress> voters = new HashMap<>();
        config.quorumVoters().forEach((id, l) -> voters.put(id, new InetSocketAddress(l.host(), l.port())));
        return voters;
    }

    private ControllerSettings controllerSettings(String clusterId) {
        Map<String, String> brokerConfigs = new HashMap<>();
        ServerConfig.settings().keySet().forEach(name -> brokerConfigs.put(name, config.valueAsString(name)));
        return new ControllerSettings(config.getInt("num.partitions"),
                (short) config.getInt("default.replication.factor"), config.getBoolean("delete.topic.enable"),
                brokerConfigs).withClusterId(clusterId)
                .withBrokerSessionTimeoutMs(config.getLong("broker.session.timeout.ms"))
                .withAutoLeaderRebalanceEnable(config.getBoolean("auto.leader.rebalance.enable"))
                .withLeaderImbalanceCheckIntervalMs(config.getLong("leader.imbalance.check.interval.seconds") * 1000)
                .withLeaderImbalancePerBrokerPercentage(config.getInt("leader.imbalance.per.broker.percentage"));
    }

    private NetworkServer.Settings networkSettings() {
        return new NetworkServer.Settings(config.getInt("num.network.threads"),
                config.getInt("socket.request.max.bytes"), config.getLong("queued.max.request.bytes"),
                config.getLong("connections.max.idle.ms"), config.getInt("max.connections"),
                config.getInt("max.connections.per.ip"));
    }

    private static void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("Background task failed", e);
        }
    }

    public ServerConfig config() {
        return config;
    }

    /** The port a broker listener actually bound, which differs from the configured one when that is 0. */
    public int boundPort(String listenerName) {
        Integer port = network == null ? null : network.boundPort(listenerName);
        if (port == null) {
            throw new IllegalArgumentException("No bound listener " + listenerName);
        }
        return port;
    }

    /** Blocks until the node has stopped. */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    /** Stops serving, then closes the controller, the quorum and the logs (flushing them), in that order. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("Error while stopping {}", c, e);
            }
        }
        stopped.countDown();
        LOG.info("Spool node {} stopped", config.nodeId());
    }
}
