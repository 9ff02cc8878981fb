package io.spool.broker.group;

import io.spool.broker.handler.BrokerContext;
import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.metadata.CreateTopicSpec;
import io.spool.metadata.Endpoint;
import io.spool.metadata.PartitionRecord;
import io.spool.metadata.RegisterBrokerRecord;
import io.spool.metadata.TopicImage;
import io.spool.protocol.KafkaRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * FindCoordinator, single-key (v0–v3) and batched (v4+): a group's coordinator is the leader of its partition of
 * {@code __consumer_offsets}, a transactional id's the leader of its partition of {@code __transaction_state}. The
 * first request for either kind creates its topic (compacted), answering COORDINATOR_NOT_AVAILABLE meanwhile, as
 * Kafka does.
 *
 * <p>Errors per key: INVALID_REQUEST (empty key, or a share key), COORDINATOR_NOT_AVAILABLE (topic being created, or
 * no leader).
 */
public final class FindCoordinatorHandler implements RequestHandler {
    static final byte GROUP = 0;
    static final byte TRANSACTION = 1;

    private final BrokerContext broker;
    private final Kind groups;
    private final Kind transactions;

    /** One kind of coordinator: its topic, how keys map to partitions, and how the topic is created. */
    public record Kind(String topic, ToIntFunction<String> partitionFor, String partitionsSetting,
            String replicationSetting, String segmentBytesSetting, String minIsrSetting, AtomicBoolean creating) {
        public Kind(String topic, ToIntFunction<String> partitionFor, String partitionsSetting,
                String replicationSetting, String segmentBytesSetting, String minIsrSetting) {
            this(topic, partitionFor, partitionsSetting, replicationSetting, segmentBytesSetting, minIsrSetting,
                    new AtomicBoolean());
        }
    }

    public FindCoordinatorHandler(BrokerContext broker, Kind groups, Kind transactions) {
        this.broker = broker;
        this.groups = groups;
        this.transactions = transactions;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        FindCoordinatorRequestData data = request.body();
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        if (request.apiVersion() >= 4) {
            for (String key : data.coordinatorKeys()) {
                response.coordinators().add(find(key, data.keyType(), connection.listenerName()));
            }
        } else {
            Coordinator found = find(data.key(), data.keyType(), connection.listenerName());
            response.setErrorCode(found.errorCode()).setErrorMessage(found.errorMessage())
                    .setNodeId(found.nodeId()).setHost(found.host()).setPort(found.port());
        }
        return CompletableFuture.completedFuture(response);
    }

    private Coordinator find(String key, byte keyType, String listenerName) {
        Coordinator out = new Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1);
        if (keyType != GROUP && keyType != TRANSACTION) {
            return out.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Unsupported key type");
        }
        if (key == null || key.isEmpty()) {
            return out.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(keyType == GROUP
                    ? "Empty group id" : "Empty transactional id");
        }
        Kind kind = keyType == GROUP ? groups : transactions;
        Optional<TopicImage> topic = broker.image().topics().byName(kind.topic());
        if (topic.isEmpty()) {
            maybeCreate(kind);
            return out.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
        }
        PartitionRecord partition = topic.get().partitions().get(kind.partitionFor().applyAsInt(key));
        RegisterBrokerRecord leader = partition == null ? null
                : broker.image().cluster().brokers().get(partition.leader());
        Optional<Endpoint> endpoint = leader == null ? Optional.empty()
                : leader.endpoints().stream().filter(e -> e.listener().equals(listenerName)).findFirst();
        if (endpoint.isEmpty()) {
            return out.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
        }
        return out.setErrorCode(Errors.NONE.code()).setNodeId(leader.brokerId()).setHost(endpoint.get().host())
                .setPort(endpoint.get().port());
    }

    private void maybeCreate(Kind kind) {
        if (!kind.creating().compareAndSet(false, true)) {
            return;
        }
        // The cluster's size is what has registered, and at least the voters (every node is a broker for now): the
        // topic waits for enough live brokers rather than being created with fewer replicas while nodes start.
        int clusterSize = Math.max(broker.image().cluster().brokers().size(), broker.config().quorumVoters().size());
        short replicationFactor = (short) Math.min(broker.config().getInt(kind.replicationSetting()),
                Math.max(1, clusterSize));
        if (broker.image().cluster().unfencedBrokerIds().size() < replicationFactor) {
            kind.creating().set(false);
            return;
        }
        Map<String, String> configs = new HashMap<>(Map.of("cleanup.policy", "compact",
                "compression.type", "producer",
                "segment.bytes", String.valueOf(broker.config().getInt(kind.segmentBytesSetting()))));
        if (kind.minIsrSetting() != null) {
            configs.put("min.insync.replicas", String.valueOf(Math.min(replicationFactor,
                    broker.config().getInt(kind.minIsrSetting()))));
        }
        CreateTopicSpec spec = new CreateTopicSpec(kind.topic(), broker.config().getInt(kind.partitionsSetting()),
                replicationFactor, Map.of(), configs);
        broker.createTopics(List.of(spec)).whenComplete((results, error) -> kind.creating().set(false));
    }
}
