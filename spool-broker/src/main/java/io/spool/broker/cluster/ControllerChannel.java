package io.spool.broker.cluster;

import io.spool.metadata.MetadataQuorum;
import io.spool.metadata.NotControllerException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.AllocateProducerIdsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node reaches the active controller: directly when it is this node, otherwise through the metadata quorum
 * ({@link MetadataQuorum#sendToController}) to the node this one believes leads it, which may be a dedicated
 * controller with no Kafka listener. The request travels as its Kafka-protocol body ({@link ControllerWire}) and
 * is answered by the leader's {@link ControllerApis}. A call is retried, elsewhere if need be, while no leader is
 * known, the attempt fails (unreachable, not the leader, no answer in time) or the answer is NOT_CONTROLLER, until
 * its deadline; then it fails with {@link NotControllerException}.
 *
 * <p>Nothing blocks the caller (which may be an event loop): a remote attempt is sent and completes on the quorum's
 * {@code spool-controller-requests} threads, a local one on the controller's, and a retry waits on a delayed
 * executor. Thread-safe.
 */
public final class ControllerChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerChannel.class);
    private static final long RETRY_BACKOFF_MS = 50;

    private final int nodeId;
    private final MetadataQuorum quorum;
    private final ControllerApis local;
    private volatile boolean closed;

    /**
     * @param local this node's controller, or null on a node that is not a voter (it never leads the quorum)
     */
    public ControllerChannel(int nodeId, MetadataQuorum quorum, ControllerApis local) {
        this.nodeId = nodeId;
        this.quorum = quorum;
        this.local = local;
    }

    /** Calls {@code api} at the latest version on the active controller within {@code timeoutMs}. */
    public CompletableFuture<ApiMessage> call(ApiKeys api, ApiMessage request, long timeoutMs) {
        return call(api, api.latestVersion(), request, timeoutMs);
    }

    /** Calls {@code api} at {@code version} on the active controller within {@code timeoutMs}. */
    public CompletableFuture<ApiMessage> call(ApiKeys api, short version, ApiMessage request, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        CompletableFuture<ApiMessage> result = new CompletableFuture<>();
        attempt(api, version, request, deadline, result);
        return result;
    }

    private void attempt(ApiKeys api, short version, ApiMessage request, long deadline,
            CompletableFuture<ApiMessage> result) {
        if (closed) {
            result.completeExceptionally(new NotControllerException("The controller channel is closed"));
            return;
        }
        int leader = quorum.leaderId();
        CompletableFuture<ApiMessage> answer;
        if (local != null && quorum.isActiveController()) {
            answer = local.handle(api, version, request);
        } else if (leader < 0 || leader == nodeId) {
            // This node leads but is not active yet (it has not applied an entry of its term), or no leader is known.
            retry(api, version, request, deadline, result, leader < 0 ? "no active controller known"
                    : "this node's controller is not active yet");
            return;
        } else {
            long remainingMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            answer = quorum.sendToController(leader, ControllerWire.encodeRequest(api, version, request))
                    .orTimeout(remainingMs, TimeUnit.MILLISECONDS)
                    .thenApply(bytes -> ControllerWire.decodeResponse(api, version, bytes));
        }
        answer.whenComplete((response, error) -> {
            if (error == null && !isNotController(response)) {
                result.complete(response);
            } else {
                retry(api, version, request, deadline, result, error == null ? "NOT_CONTROLLER from node " + leader
                        : String.valueOf(error));
            }
        });
    }

    private void retry(ApiKeys api, short version, ApiMessage request, long deadline,
            CompletableFuture<ApiMessage> result, String why) {
        if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_BACKOFF_MS) > deadline || closed) {
            result.completeExceptionally(new NotControllerException(api + " did not reach the active controller: "
                    + why));
            return;
        }
        LOG.debug("Retrying {} to the controller: {}", api, why);
        CompletableFuture.delayedExecutor(RETRY_BACKOFF_MS, TimeUnit.MILLISECONDS)
                .execute(() -> attempt(api, version, request, deadline, result));
    }

    /** Whether a response says that the node asked is not the active controller. */
    static boolean isNotController(ApiMessage response) {
        short code = Errors.NOT_CONTROLLER.code();
        if (response instanceof BrokerHeartbeatResponseData r) {
            return r.errorCode() == code;
        } else if (response instanceof BrokerRegistrationResponseData r) {
            return r.errorCode() == code;
        } else if (response instanceof AlterPartitionResponseData r) {
            return r.errorCode() == code;
        } else if (response instanceof AllocateProducerIdsResponseData r) {
            return r.errorCode() == code;
        } else if (response instanceof DescribeQuorumResponseData r) {
            return r.errorCode() == code;
        } else if (response instanceof ElectLeadersResponseData r) {
            return r.errorCode() == code || r.replicaElectionResults().stream()
                    .anyMatch(t -> t.partitionResult().stream().anyMatch(p -> p.errorCode() == code));
        } else if (response instanceof AlterPartitionReassignmentsResponseData r) {
            return r.errorCode() == code;
        } else if (response instanceof ListPartitionReassignmentsResponseData r) {
            return r.errorCode() == code;
        } else if (response instanceof CreateTopicsResponseData r) {
            return r.topics().stream().anyMatch(t -> t.errorCode() == code);
        } else if (response instanceof CreatePartitionsResponseData r) {
            return r.results().stream().anyMatch(t -> t.errorCode() == code);
        } else if (response instanceof DeleteTopicsResponseData r) {
            return r.responses().stream().anyMatch(t -> t.errorCode() == code);
        } else if (response instanceof org.apache.kafka.common.message.IncrementalAlterConfigsResponseData r) {
            return r.responses().stream().anyMatch(t -> t.errorCode() == code);
        } else if (response instanceof org.apache.kafka.common.message.AlterConfigsResponseData r) {
            return r.responses().stream().anyMatch(t -> t.errorCode() == code);
        }
        return false;
    }

    /** Fails every call that is waiting to be retried; calls in flight fail when their attempt ends. */
    @Override
    public void close() {
        closed = true;
    }
}
