package io.spool.broker.cluster;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.spool.metadata.Endpoint;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.RegisterBrokerRecord;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.BrokerNotAvailableException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Asynchronous Kafka-protocol calls from this broker to another one (transaction markers, KIP-890 verification),
 * on the inter-broker listener. Each destination has one thread and one {@link KafkaConnection}, so calls to a node
 * are sent one at a time, in order; a failed call closes the connection and the next one reconnects. Thread-safe.
 */
public final class BrokerChannel implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 3000;

    private final int nodeId;
    private final Supplier<MetadataImage> image;
    private final String listenerName;
    private final String purpose;
    private final Map<Integer, Destination> destinations = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** @param purpose names the channel's threads ({@code spool-<purpose>-<brokerId>}), e.g. "marker-channel" */
    public BrokerChannel(int nodeId, Supplier<MetadataImage> image, String listenerName, String purpose) {
        this.nodeId = nodeId;
        this.image = image;
        this.listenerName = listenerName;
        this.purpose = purpose;
    }

    /**
     * Sends {@code request} to broker {@code brokerId}; the future fails with an IOException if the broker cannot
     * be reached or answers nothing within {@code timeoutMs}, and with BrokerNotAvailableException if it has no
     * endpoint on the inter-broker listener.
     */
    public CompletableFuture<ApiMessage> call(int brokerId, ApiKeys api, short version, ApiMessage request,
            int timeoutMs) {
        Optional<Endpoint> endpoint = endpointOf(brokerId);
        if (endpoint.isEmpty() || closed) {
            return CompletableFuture.failedFuture(new BrokerNotAvailableException("Broker " + brokerId
                    + " has no " + listenerName + " endpoint"));
        }
        Destination destination = destinations.compute(brokerId, (id, existing) ->
                existing != null && existing.endpoint.equals(endpoint.get()) ? existing
                        : replace(existing, new Destination(id, endpoint.get())));
        CompletableFuture<ApiMessage> result = new CompletableFuture<>();
        try {
            destination.thread.execute(() -> {
                try {
                    result.complete(destination.call(api, version, request, timeoutMs));
                } catch (IOException | RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new BrokerNotAvailableException("Channel to " + brokerId + " closed"));
        }
        return result;
    }

    private static Destination replace(Destination old, Destination fresh) {
        if (old != null) {
            old.close();
        }
        return fresh;
    }

    private Optional<Endpoint> endpointOf(int brokerId) {
        RegisterBrokerRecord registration = image.get().cluster().brokers().get(brokerId);
        if (registration == null) {
            return Optional.empty();
        }
        return registration.endpoints().stream().filter(e -> e.listener().equals(listenerName)).findFirst();
    }

    @Override
    public void close() {
        closed = true;
        destinations.values().forEach(Destination::close);
        destinations.clear();
    }

    /** One destination broker: its thread and, on that thread only, its connection. */
    private final class Destination {
        final Endpoint endpoint;
        final ExecutorService thread;
        private KafkaConnection connection;

        Destination(int brokerId, Endpoint endpoint) {
            this.endpoint = endpoint;
            this.thread = Executors.newSingleThreadExecutor(
                    new DefaultThreadFactory("spool-" + purpose + "-" + brokerId, true));
        }

        ApiMessage call(ApiKeys api, short version, ApiMessage request, int timeoutMs) throws IOException {
            if (connection == null || !connection.isConnected()) {
                KafkaConnection c = new KafkaConnection(endpoint.host(), endpoint.port(), "spool-broker-" + nodeId);
                connection = c;
                c.connect(CONNECT_TIMEOUT_MS);
            }
            try {
                return connection.call(api, version, request, timeoutMs);
            } catch (IOException e) {
                connection = null;
                throw e;
            }
        }

        void close() {
            thread.execute(() -> {
                if (connection != null) {
                    connection.close();
                }
            });
            thread.shutdown();
        }
    }
}
