package io.spool.metadata;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active controller's handling of brokers: registration, heartbeats (unfencing and controlled shutdown),
 * session expiry and ISR changes requested by partition leaders. Each handler validates against the current image
 * and appends the resulting records as one atomic batch; its future completes once they are committed.
 *
 * <p>Not thread-safe: owned by the controller thread. Handlers run one at a time, and the next starts only after
 * the previous one's future (completed by the append, possibly on a quorum thread) is done.
 */
final class ClusterControl {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterControl.class);

    private final MetadataQuorum quorum;
    private final Clock clock;
    private final ControllerSettings settings;
    private final ReplicationControl replication;
    private final BrokerSessions sessions;

    ClusterControl(MetadataQuorum quorum, Clock clock, ControllerSettings settings) {
        this.quorum = Objects.requireNonNull(quorum);
        this.clock = Objects.requireNonNull(clock);
        this.settings = Objects.requireNonNull(settings);
        this.replication = new ReplicationControl(settings.brokerConfigs());
        this.sessions = new BrokerSessions(settings.brokerSessionTimeoutMs());
    }

    /** Whether this node is the active controller now; becoming active starts every broker's session afresh. */
    boolean isActive() {
        boolean active = quorum.isActiveController();
        sessions.onActivity(active, quorum.image().cluster(), clock.millis());
        return active;
    }

    /**
     * Registers a broker, fenced, at a new epoch: the current time in milliseconds, or one more than its previous
     * epoch if that is not less. A broker that registers again while unfenced (it restarted within its session) is
     * first fenced, in the same batch. A registered broker whose {@code previousBrokerEpoch} is not the epoch it is
     * registered with did not shut down cleanly (Kafka's clean-shutdown check, KIP-966): with ELR enabled it also
     * leaves every ISR and ELR in the same batch (see {@link ReplicationControl#uncleanShutdown}). Errors:
     * {@code NOT_CONTROLLER}; {@code INCONSISTENT_CLUSTER_ID} when the settings name a cluster id and this is
     * another; {@code NOT_CONTROLLER} / {@code UNKNOWN_SERVER_ERROR} if the append failed.
     *
     * @param previousBrokerEpoch the epoch the broker had when it last stopped cleanly, or -1 if it did not
     */
    CompletableFuture<BrokerRegistrationReply> handleRegisterBroker(int brokerId, String clusterId,
            List<Endpoint> endpoints, String rack, long previousBrokerEpoch) {
        if (!isActive()) {
            return CompletableFuture.completedFuture(BrokerRegistrationReply.failed(Errors.NOT_CONTROLLER));
        }
        if (settings.clusterId() != null && !settings.clusterId().equals(clusterId)) {
            LOG.warn("Rejecting registration of broker {} for cluster {}: this is cluster {}", brokerId, clusterId,
                    settings.clusterId());
            return CompletableFuture.completedFuture(BrokerRegistrationReply.failed(Errors.INCONSISTENT_CLUSTER_ID));
        }
        MetadataImage image = quorum.image();
        long now = clock.millis();
        Optional<BrokerRegistration> previous = image.cluster().registration(brokerId);
        long epoch = previous.map(r -> Math.max(now, r.epoch() + 1)).orElse(now);
        List<MetadataRecord> records = new ArrayList<>();
        if (previous.isPresent() && !previous.get().fenced()) {
            records.addAll(replication.fence(image, List.of(brokerId)));
        }
        boolean unclean = previous.isPresent() && previous.get().epoch() != previousBrokerEpoch;
        if (unclean && replication.elrEnabled()) {
            List<MetadataRecord> shutdown = replication.uncleanShutdown(ReplicationControl.applied(image, records),
                    brokerId);
            LOG.info("Broker {} registers after an unclean shutdown (previous epoch {}, registered with {}): it "
                    + "leaves the ISR and ELR of {} partition(s)", brokerId, previousBrokerEpoch,
                    previous.get().epoch(), shutdown.size());
            records.addAll(shutdown);
        }
        records.add(new RegisterBrokerRecord(brokerId, clusterId, epoch, endpoints, rack));
        return quorum.append(records).handle((offset, error) -> {
            if (error != null) {
                LOG.warn("Failed to register broker {}", brokerId, error);
                return BrokerRegistrationReply.failed(Controller.appendError(error));
            }
            sessions.touch(brokerId, now);
            sessions.registered(brokerId, offset);
            LOG.info("Registered broker {} at epoch {} (metadata offset {})", brokerId, epoch, offset);
            return new BrokerRegistrationReply(Errors.NONE, epoch);
        });
    }

    /**
     * Notes that the broker is alive and moves it between fenced and unfenced as it asks. A fenced broker is
     * unfenced once it has applied the metadata log up to its own registration and does not want to be fenced; the
     * leaderless partitions it can lead elect it in the same batch. An unfenced broker that wants to shut down (or
     * to be fenced) is fenced, its leadership moving to other in-sync replicas; the reply then says it may shut
     * down. A fenced broker that wants to shut down may do so at once. Errors: {@code NOT_CONTROLLER};
     * {@code BROKER_ID_NOT_REGISTERED}; {@code STALE_BROKER_EPOCH}; {@code NOT_CONTROLLER} /
     * {@code UNKNOWN_SERVER_ERROR} if the append failed.
     */
    CompletableFuture<BrokerHeartbeatReply> handleHeartbeat(int brokerId, long brokerEpoch, long metadataOffset,
            boolean wantFence, boolean wantShutDown) {
        if (!isActive()) {
            return CompletableFuture.completedFuture(BrokerHeartbeatReply.failed(Errors.NOT_CONTROLLER));
        }
        MetadataImage image = quorum.image();
        Optional<BrokerRegistration> registration = image.cluster().registration(brokerId);
        if (registration.isEmpty()) {
            return CompletableFuture.completedFuture(BrokerHeartbeatReply.failed(Errors.BROKER_ID_NOT_REGISTERED));
        }
        if (registration.get().epoch() != brokerEpoch) {
            return CompletableFuture.completedFuture(BrokerHeartbeatReply.failed(Errors.STALE_BROKER_EPOCH));
        }
        sessions.touch(brokerId, clock.millis());
        if (registration.get().fenced()) {
            if (wantShutDown || wantFence || !sessions.caughtUp(brokerId, metadataOffset)) {
                return CompletableFuture.completedFuture(new BrokerHeartbeatReply(Errors.NONE, true, wantShutDown));
            }
            return appendForHeartbeat(replication.unfence(image, brokerId, brokerEpoch), "unfence", brokerId,
                    new BrokerHeartbeatReply(Errors.NONE, false, false), true);
        }
        if (wantShutDown || wantFence) {
            return appendForHeartbeat(replication.fence(image, List.of(brokerId)),
                    wantShutDown ? "shut down" : "fence", brokerId,
                    new BrokerHeartbeatReply(Errors.NONE, true, wantShutDown), false);
        }
        return CompletableFuture.completedFuture(new BrokerHeartbeatReply(Errors.NONE, false, false));
    }

    private CompletableFuture<BrokerHeartbeatReply> appendForHeartbeat(List<MetadataRecord> records, String action,
            int brokerId, BrokerHeartbeatReply committed, boolean fencedIfFailed) {
        return quorum.append(records).handle((offset, error) -> {
            if (error != null) {
                LOG.warn("Failed to {} broker {}", action, brokerId, error);
                return new BrokerHeartbeatReply(Controller.appendError(error), fencedIfFailed, false);
            }
            LOG.info("Heartbeat: {} broker {} with {} partition change(s) at metadata offset {}", action, brokerId,
                    records.size() - 1, offset);
            return committed;
        });
    }

    /**
     * Changes a partition's ISR as its leader asks; see {@link AlterPartitionRequest#check} for the errors, plus
     * {@code NOT_CONTROLLER} when this node is not the active controller and {@code NOT_CONTROLLER} /
     * {@code UNKNOWN_SERVER_ERROR} if the append failed. If the new ISR lets the partition's reassignment complete,
     * it completes in the same batch and the reply carries the completed state; when that moved leadership away
     * from the requesting broker (it was being removed), the reply is {@code NEW_LEADER_ELECTED}, as in Kafka.
     */
    CompletableFuture<AlterPartitionReply> handleAlterPartition(AlterPartitionRequest request) {
        if (!isActive()) {
            return CompletableFuture.completedFuture(new AlterPartitionReply(Errors.NOT_CONTROLLER, null));
        }
        MetadataImage image = quorum.image();
        ElrPolicy policy = image.topics().byId(request.topicId())
                .map(t -> replication.elrPolicy(image, t.name())).orElse(ElrPolicy.DISABLED);
        AlterPartitionReply checked = request.check(image, policy);
        PartitionRecord current = image.topics().byId(request.topicId())
                .map(t -> t.partition(request.partition())).orElse(null);
        if (checked.error() != Errors.NONE || checked.partition().equals(current)) {
            return CompletableFuture.completedFuture(checked);
        }
        List<MetadataRecord> records = PartitionReassigner.withCompletion(image, checked.partition(),
                id -> !image.cluster().isFenced(id));
        PartitionRecord committed = (PartitionRecord) records.get(0);
        AlterPartitionReply reply = new AlterPartitionReply(committed.leader() == request.brokerId()
                ? Errors.NONE : Errors.NEW_LEADER_ELECTED, committed);
        return quorum.append(records).handle((offset, error) -> {
            if (error != null) {
                LOG.warn("Failed to change the ISR of {}", current, error);
                return new AlterPartitionReply(Controller.appendError(error), current);
            }
            LOG.info("Broker {} changed the ISR of partition {} of topic {} from {} to {} at metadata offset {}{}",
                    request.brokerId(), request.partition(), request.topicId(), current.isr(), request.newIsr(),
                    offset, records.size() > 1 ? ", completing its reassignment: " + committed : "");
            return reply;
        });
    }

    /** Fences, in one batch, every unfenced broker whose session has expired; does nothing unless active. */
    CompletableFuture<Void> handleCheckSessions() {
        if (!isActive()) {
            return CompletableFuture.completedFuture(null);
        }
        MetadataImage image = quorum.image();
        List<Integer> expired = sessions.expired(image.cluster(), clock.millis());
        if (expired.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        LOG.info("Fencing brokers {}: not heard from for more than {} ms", expired, settings.brokerSessionTimeoutMs());
        return quorum.append(replication.fence(image, expired)).handle((offset, error) -> {
            if (error != null) {
                LOG.warn("Failed to fence brokers {}; the next check retries", expired, error);
            }
            return null;
        });
    }
}
