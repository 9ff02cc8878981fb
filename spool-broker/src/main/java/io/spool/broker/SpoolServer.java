package io.spool.broker;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.spool.broker.fetch.FetchHandler;
import io.spool.broker.group.FindCoordinatorHandler;
import io.spool.broker.group.GroupApis;
import io.spool.broker.group.GroupCoordinatorService;
import io.spool.broker.handler.BrokerContext;
import io.spool.broker.handler.CreateTopicsHandler;
import io.spool.broker.handler.DeleteTopicsHandler;
import io.spool.broker.handler.DescribeClusterHandler;
import io.spool.broker.handler.DescribeConfigsHandler;
import io.spool.broker.handler.InitProducerIdHandler;
import io.spool.broker.handler.ListOffsetsHandler;
import io.spool.broker.handler.MetadataHandler;
import io.spool.broker.handler.ProduceHandler;
import io.spool.broker.handler.ProducerIdManager;
import io.spool.broker.handler.TopicConfigView;
import io.spool.broker.network.NetworkServer;
import io.spool.broker.network.RequestDispatcher;
import io.spool.broker.replica.ReplicaManager;
import io.spool.metadata.Controller;
import io.spool.metadata.ControllerSettings;
import io.spool.metadata.Endpoint;
import io.spool.metadata.MetadataQuorum;
import io.spool.metadata.RatisMetadataQuorum;
import io.spool.metadata.RegisterBrokerRecord;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Spool node: owns the metadata quorum member, the log manager and the network server, and their lifecycle.
 * {@link #start} returns once the node answers requests; {@link #close} stops it cleanly (flushes logs and writes
 * the clean-shutdown marker). Thread-safe.
 */
public final class SpoolServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolServer.class);

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
        if (!config.isBroker() || !config.isController()) {
            throw new InvalidConfigException("process.roles=" + String.join(",", config.getList("process.roles"))
                    + " needs a multi-node cluster, which this version does not run yet;"
                    + " use process.roles=broker,controller");
        }
        Clock clock = Clock.systemUTC();
        String clusterId = MetaProperties.loadOrFormat(config.logDirs(), config.nodeId());
        LogManager logs = LogManager.open(config.logDirs(), clock);
        closeables.add(logs);

        MetadataQuorum quorum = new RatisMetadataQuorum(config.nodeId(), voterAddresses(), config.metadataLogDir(),
                clusterId);
        closeables.add(0, quorum);
        TopicConfigView topicConfigs = new TopicConfigView(config);
        ReplicaManager replicas = new ReplicaManager(config.nodeId(), logs, topicConfigs::logConfig);
        GroupCoordinatorService groups = new GroupCoordinatorService(config, replicas, clock);
        closeables.add(0, groups);
        quorum.addListener(replicas);
        quorum.addListener(groups);
        quorum.start();
        replicas.activate(quorum.image());
        groups.activate(quorum.image());

        Controller controller = new Controller(quorum, clock, controllerSettings());
        closeables.add(0, controller);
        BrokerContext broker = new BrokerContext(config, clusterId, quorum, controller, replicas, clock);
        RequestDispatcher dispatcher = handlers(broker, topicConfigs, groups);
        network = new NetworkServer(networkSettings(), dispatcher);
        closeables.add(0, network);
        List<Endpoint> endpoints = new ArrayList<>();
        for (Listener listener : config.brokerListeners()) {
            int port = network.bind(listener.name(), listener.host(), listener.port());
            endpoints.add(advertised(listener, port));
        }
        register(quorum, clusterId, endpoints);

        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                new DefaultThreadFactory("spool-log-retention", true));
        closeables.add(0, scheduler::shutdownNow);
        long interval = config.getLong("log.retention.check.interval.ms");
        scheduler.scheduleWithFixedDelay(() -> runSafely(logs::runRetentionAndRoll), interval, interval,
                TimeUnit.MILLISECONDS);
        long checkpoints = config.getLong("log.flush.offset.checkpoint.interval.ms");
        scheduler.scheduleWithFixedDelay(() -> runSafely(logs::writeCheckpoints), checkpoints, checkpoints,
                TimeUnit.MILLISECONDS);
        LOG.info("Spool node {} of cluster {} serving on {} (started in {} ms)", config.nodeId(), clusterId,
                endpoints, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
    }

    private static RequestDispatcher handlers(BrokerContext broker, TopicConfigView topicConfigs,
            GroupCoordinatorService groups) {
        ProducerIdManager producerIds = new ProducerIdManager(broker.controller(), broker.nodeId());
        RequestDispatcher.Builder builder = RequestDispatcher.builder();
        GroupApis.register(builder, groups.coordinator());
        return builder
                .register(ApiKeys.PRODUCE, 3, 13, new ProduceHandler(broker))
                .register(ApiKeys.FETCH, 4, 17, new FetchHandler(broker, 1000))
                .register(ApiKeys.LIST_OFFSETS, 1, 11, new ListOffsetsHandler(broker))
                .register(ApiKeys.METADATA, 0, 13, new MetadataHandler(broker))
                .register(ApiKeys.CREATE_TOPICS, 2, 7, new CreateTopicsHandler(broker, topicConfigs))
                .register(ApiKeys.DELETE_TOPICS, 1, 6, new DeleteTopicsHandler(broker))
                .register(ApiKeys.INIT_PRODUCER_ID, 0, 5, new InitProducerIdHandler(producerIds))
                .register(ApiKeys.DESCRIBE_CONFIGS, 1, 4, new DescribeConfigsHandler(broker, topicConfigs))
                .register(ApiKeys.DESCRIBE_CLUSTER, 0, 2, new DescribeClusterHandler(broker))
                .register(ApiKeys.FIND_COORDINATOR, 0, 6, new FindCoordinatorHandler(broker, groups))
                .apiVersions(0, 4)
                .build();
    }

    private void register(MetadataQuorum quorum, String clusterId, List<Endpoint> endpoints) {
        RegisterBrokerRecord registration = new RegisterBrokerRecord(config.nodeId(), clusterId,
                System.currentTimeMillis(), endpoints, null);
        quorum.append(List.of(registration)).join();
    }

    private Endpoint advertised(Listener bound, int port) throws UnknownHostException {
        Listener advertised = config.advertisedListeners().stream().filter(l -> l.name().equals(bound.name()))
                .findFirst().orElse(bound);
        String host = advertised.host().isEmpty() ? InetAddress.getLocalHost().getCanonicalHostName()
                : advertised.host();
        int advertisedPort = advertised.port() == 0 || advertised == bound ? port : advertised.port();
        return new Endpoint(bound.name(), host, advertisedPort);
    }

    private Map<Integer, InetSocketAddress> voterAddresses() {
        Map<Integer, InetSocketAddress> voters = new HashMap<>();
        config.quorumVoters().forEach((id, l) -> voters.put(id, new InetSocketAddress(l.host(), l.port())));
        return voters;
    }

    private ControllerSettings controllerSettings() {
        Map<String, String> brokerConfigs = new HashMap<>();
        ServerConfig.settings().keySet().forEach(name -> brokerConfigs.put(name, config.valueAsString(name)));
        return new ControllerSettings(config.getInt("num.partitions"),
                (short) config.getInt("default.replication.factor"), config.getBoolean("delete.topic.enable"),
                brokerConfigs);
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
