package io.spool.broker.cluster;

import io.spool.metadata.Endpoint;
import io.spool.metadata.MetadataQuorum;
import io.spool.metadata.NotControllerException;
import io.spool.metadata.RegisterBrokerRecord;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.apache.kafka.common.message.AllocateProducerIdsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
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
 * How a node reaches the active controller: directly when it is this node, otherwise over the Kafka protocol to
 * the active controller's inter-broker listener (the node that leads the metadata quorum; every node is a broker
 * and a controller for now). A call is retried, elsewhere if need be, while no controller is known, the connection
 * fails or the answer is NOT_CONTROLLER, until its deadline; then it fails with {@link NotControllerException}.
 *
 * <p>Remote calls block a thread of this channel's own pool, never the caller's. Thread-safe.
 */
public final class ControllerChannel implements AutoCloseable {
    /** The client id of forwarded requests: a node that is not the controller answers them NOT_CONTROLLER. */
    public static final String CLIENT_ID_PREFIX = "spool-controller-channel-";
    private static final Logger LOG = LoggerFactory.getLogger(ControllerChannel.class);
    private static final long RETRY_BACKOFF_MS = 50;

    private final int nodeId;
    private final MetadataQuorum quorum;
    private final ControllerApis local;
    private final String listenerName;
    private final ExecutorService executor;
    private final Map<String, Deque<KafkaConnection>> idle = new HashMap<>();
    private volatile boolean closed;

    public ControllerChannel(int nodeId, MetadataQuorum quorum, ControllerApis local, String listenerName) {
        this.nodeId = nodeId;
        this.quorum = quorum;
        this.local = local;
        this.listenerName = listenerName;
        this.executor = new ThreadPoolExecutor(0, 16, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                new DefaultThreadFactory("spool-controller-channel", true), new ThreadPoolExecutor.CallerRunsPolicy());
    }

    /** Whether a request came through another node's channel (and so must not be forwarded again). */
    public static boolean isForwarded(String clientId) {
        return clientId != null && clientId.startsWith(CLIENT_ID_PREFIX);
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
        if (quorum.isActiveController()) {
            local.handle(api, version, request).whenComplete((response, error) -> {
                if (error == null && !isNotController(response)) {
                    result.complete(response);
                } else {
                    retry(api, version, request, deadline, result, error == null ? "NOT_CONTROLLER" : error.toString());
                }
            });
            return;
        }
        executor.execute(() -> {
            String failure;
            try {
                Optional<Endpoint> target = controllerEndpoint();
                if (target.isEmpty()) {
                    failure = "no active controller known";
                } else {
                    ApiMessage response = send(target.get(), api, version, request, deadline);
                    if (!isNotController(response)) {
                        result.complete(response);
                        return;
                    }
                    failure = "NOT_CONTROLLER from node " + quorum.leaderId();
                }
            } catch (IOException | RuntimeException e) {
                failure = e.toString();
            }
            retry(api, version, request, deadline, result, failure);
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

    private Optional<Endpoint> controllerEndpoint() {
        int leader = quorum.leaderId();
        if (leader < 0 || leader == nodeId) {
            return Optional.empty();
        }
        RegisterBrokerRecord registration = quorum.image().cluster().brokers().get(leader);
        if (registration == null) {
            return Optional.empty();
        }
        return registration.endpoints().stream().filter(e -> e.listener().equals(listenerName)).findFirst();
    }

    private ApiMessage send(Endpoint target, ApiKeys api, short version, ApiMessage request, long deadline)
            throws IOException {
        String key = target.host() + ":" + target.port();
        KafkaConnection connection = takeIdle(key);
        if (connection == null) {
            connection = new KafkaConnection(target.host(), target.port(), CLIENT_ID_PREFIX + nodeId);
            connection.connect(3000);
        }
        long remainingMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        ApiMessage response = connection.call(api, version, request, (int) Math.min(Integer.MAX_VALUE, remainingMs));
        release(key, connection);
        return response;
    }

    private synchronized KafkaConnection takeIdle(String key) {
        Deque<KafkaConnection> connections = idle.get(key);
        return connections == null ? null : connections.pollFirst();
    }

    private synchronized void release(String key, KafkaConnection connection) {
        if (closed) {
            connection.close();
            return;
        }
        idle.computeIfAbsent(key, k -> new ArrayDeque<>()).addFirst(connection);
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
        } else if (response instanceof DeleteTopicsResponseData r) {
            return r.responses().stream().anyMatch(t -> t.errorCode() == code);
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        synchronized (this) {
            idle.values().forEach(d -> d.forEach(KafkaConnection::close));
            idle.clear();
        }
    }
}
