package io.spool.broker.cluster;

import io.spool.metadata.Endpoint;
import io.spool.metadata.MetadataQuorum;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's membership in the cluster, as a Kafka broker keeps it: it registers with the active controller
 * (getting a broker epoch), then heartbeats every {@code broker.heartbeat.interval.ms}; the first heartbeat after
 * registration asks to be unfenced. A broker whose heartbeats stop for {@code broker.session.timeout.ms} is fenced
 * by the controller and loses its leaderships. On a clean stop it asks for a controlled shutdown, so that
 * leadership moves before it goes. A heartbeat answered STALE_BROKER_EPOCH or BROKER_ID_NOT_REGISTERED (the
 * controller lost or replaced the registration) makes it register again. Thread-safe.
 */
public final class BrokerLifecycle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerLifecycle.class);

    private final int nodeId;
    private final String clusterId;
    private final String rack;
    private final MetadataQuorum quorum;
    private final ControllerChannel channel;
    private final long heartbeatIntervalMs;
    private final ScheduledExecutorService scheduler;
    private final Uuid incarnation = Uuid.randomUuid();
    private volatile List<Endpoint> endpoints;
    private volatile long brokerEpoch = -1;
    /** The epoch of this node's last clean shutdown, named by its first registration (KIP-966); -1 if unclean. */
    private volatile long previousBrokerEpoch = -1;
    private volatile boolean fenced = true;
    private volatile boolean stopping;
    private final CompletableFuture<Void> unfenced = new CompletableFuture<>();

    public BrokerLifecycle(int nodeId, String clusterId, String rack, MetadataQuorum quorum, ControllerChannel channel,
            long heartbeatIntervalMs) {
        this.nodeId = nodeId;
        this.clusterId = clusterId;
        this.rack = rack;
        this.quorum = quorum;
        this.channel = channel;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("spool-broker-lifecycle",
                true));
    }

    public int nodeId() {
        return nodeId;
    }

    /** The epoch the controller gave this broker's registration; -1 before it registered. */
    public long brokerEpoch() {
        return brokerEpoch;
    }

    /**
     * The broker epoch this node had when it last stopped cleanly (its log dirs' clean-shutdown markers), or -1: the
     * first registration names it as PreviousBrokerEpoch so that the controller can tell a clean restart from a
     * crash; later registrations of this process name the epoch they replace. Set before {@link #start}.
     */
    public void setPreviousBrokerEpoch(long epoch) {
        this.previousBrokerEpoch = epoch;
    }

    /** Registers and starts heartbeating; the future completes once the controller has unfenced this broker. */
    public CompletableFuture<Void> start(List<Endpoint> brokerEndpoints) {
        this.endpoints = List.copyOf(brokerEndpoints);
        scheduler.execute(this::register);
        return unfenced;
    }

    private void register() {
        if (stopping) {
            return;
        }
        BrokerRegistrationRequestData request = new BrokerRegistrationRequestData().setBrokerId(nodeId)
                .setClusterId(clusterId).setIncarnationId(incarnation).setRack(rack)
                .setPreviousBrokerEpoch(brokerEpoch >= 0 ? brokerEpoch : previousBrokerEpoch);
        for (Endpoint e : endpoints) {
            request.listeners().add(new BrokerRegistrationRequestData.Listener().setName(e.listener())
                    .setHost(e.host()).setPort(e.port()).setSecurityProtocol((short) 0));
        }
        channel.call(ApiKeys.BROKER_REGISTRATION, request, heartbeatIntervalMs * 5).whenComplete((r, error) -> {
            BrokerRegistrationResponseData response = (BrokerRegistrationResponseData) r;
            if (error != null || response.errorCode() != Errors.NONE.code()) {
                LOG.info("Registration of broker {} failed ({}); retrying", nodeId,
                        error != null ? error.getMessage() : Errors.forCode(response.errorCode()));
                schedule(this::register, Math.min(1000, heartbeatIntervalMs));
                return;
            }
            brokerEpoch = response.brokerEpoch();
            LOG.info("Broker {} registered with epoch {}", nodeId, brokerEpoch);
            scheduler.execute(this::heartbeat);
        });
    }

    private void heartbeat() {
        if (stopping) {
            return;
        }
        BrokerHeartbeatRequestData request = new BrokerHeartbeatRequestData().setBrokerId(nodeId)
                .setBrokerEpoch(brokerEpoch).setCurrentMetadataOffset(quorum.image().offset())
                .setWantFence(false).setWantShutDown(false);
        channel.call(ApiKeys.BROKER_HEARTBEAT, request, heartbeatIntervalMs * 2).whenComplete((r, error) -> {
            BrokerHeartbeatResponseData response = (BrokerHeartbeatResponseData) r;
            if (error == null) {
                Errors code = Errors.forCode(response.errorCode());
                if (code == Errors.STALE_BROKER_EPOCH || code == Errors.BROKER_ID_NOT_REGISTERED) {
                    LOG.warn("Controller answered {} to broker {}'s heartbeat; registering again", code, nodeId);
                    fenced = true;
                    scheduler.execute(this::register);
                    return;
                }
                if (code == Errors.NONE) {
                    boolean wasFenced = fenced;
                    fenced = response.isFenced();
                    if (wasFenced && !fenced) {
                        LOG.info("Broker {} is unfenced", nodeId);
                        unfenced.complete(null);
                    }
                }
            } else {
                LOG.debug("Heartbeat of broker {} failed: {}", nodeId, error.getMessage());
            }
            // Until unfenced, heartbeat quickly: the first unfencing is what the start waits for.
            schedule(this::heartbeat, fenced ? Math.min(heartbeatIntervalMs, 100) : heartbeatIntervalMs);
        });
    }

    private void schedule(Runnable task, long delayMs) {
        if (!stopping) {
            try {
                scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // stopping
            }
        }
    }

    /**
     * Asks the controller for a controlled shutdown and waits, at most {@code timeoutMs}, until it says this broker
     * may stop (its leaderships moved away); then stops heartbeating.
     */
    public void controlledShutdown(long timeoutMs) {
        stopping = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (brokerEpoch >= 0 && System.nanoTime() < deadline) {
            BrokerHeartbeatRequestData request = new BrokerHeartbeatRequestData().setBrokerId(nodeId)
                    .setBrokerEpoch(brokerEpoch).setCurrentMetadataOffset(quorum.image().offset())
                    .setWantFence(true).setWantShutDown(true);
            long remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            try {
                BrokerHeartbeatResponseData response = (BrokerHeartbeatResponseData) channel
                        .call(ApiKeys.BROKER_HEARTBEAT, request, remaining).get(remaining, TimeUnit.MILLISECONDS);
                if (response.errorCode() != Errors.NONE.code() || response.shouldShutDown()) {
                    LOG.info("Controlled shutdown of broker {}: {}", nodeId, response.shouldShutDown() ? "done"
                            : Errors.forCode(response.errorCode()));
                    return;
                }
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                LOG.info("Controlled shutdown of broker {} did not complete: {}", nodeId, e.getMessage());
                return;
            }
        }
    }

    @Override
    public void close() {
        stopping = true;
        scheduler.shutdownNow();
        unfenced.completeExceptionally(new IllegalStateException("Broker " + nodeId + " is stopping"));
    }
}
