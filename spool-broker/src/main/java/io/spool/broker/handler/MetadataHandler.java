package io.spool.broker.handler;

import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.metadata.CreateTopicSpec;
import io.spool.metadata.Endpoint;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.PartitionRecord;
import io.spool.metadata.RegisterBrokerRecord;
import io.spool.metadata.TopicImage;
import io.spool.metadata.TopicNames;
import io.spool.protocol.KafkaRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Metadata: the brokers (their endpoint on the listener the client used), the cluster id, the controller, and the
 * requested topics by name or id. An unknown topic is created when auto-creation is on and the client allows it;
 * the client then sees LEADER_NOT_AVAILABLE and retries, as with Kafka.
 *
 * <p>Errors per topic: UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID, INVALID_TOPIC_EXCEPTION (bad name on
 * auto-create), LEADER_NOT_AVAILABLE (being created).
 */
public final class MetadataHandler implements RequestHandler {
    private final BrokerContext broker;

    public MetadataHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        MetadataRequestData data = request.body();
        short version = request.apiVersion();
        MetadataImage image = broker.image();
        MetadataResponseData response = new MetadataResponseData()
                .setClusterId(broker.clusterId())
                .setControllerId(controllerId(image));
        addBrokers(response, image, connection.listenerName());
        boolean all = data.topics() == null || (version == 0 && data.topics().isEmpty());
        if (all) {
            for (TopicImage topic : image.topics().all()) {
                response.topics().add(describe(topic, version));
            }
            return CompletableFuture.completedFuture(response);
        }
        boolean autoCreate = broker.config().getBoolean("auto.create.topics.enable")
                && (version < 4 || data.allowAutoTopicCreation());
        List<CreateTopicSpec> toCreate = new ArrayList<>();
        for (MetadataRequestData.MetadataRequestTopic requested : data.topics()) {
            response.topics().add(lookup(requested, image, version, autoCreate, toCreate));
        }
        if (!toCreate.isEmpty()) {
            broker.createTopics(toCreate);
        }
        return CompletableFuture.completedFuture(response);
    }

    private MetadataResponseTopic lookup(MetadataRequestData.MetadataRequestTopic requested, MetadataImage image,
            short version, boolean autoCreate, List<CreateTopicSpec> toCreate) {
        Uuid id = requested.topicId();
        if (requested.name() == null && id != null && !Uuid.ZERO_UUID.equals(id)) {
            Optional<TopicImage> topic = image.topics().byId(id);
            return topic.map(t -> describe(t, version)).orElseGet(() -> new MetadataResponseTopic()
                    .setTopicId(id).setIsInternal(false).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
        }
        String name = requested.name();
        if (name == null) {
            return new MetadataResponseTopic().setErrorCode(Errors.INVALID_REQUEST.code());
        }
        Optional<TopicImage> topic = image.topics().byName(name);
        if (topic.isPresent()) {
            return describe(topic.get(), version);
        }
        MetadataResponseTopic missing = new MetadataResponseTopic().setName(name).setIsInternal(false);
        if (!autoCreate || TopicNames.isInternal(name)) {
            // Internal topics are created by their coordinator with their own settings, never by a client's
            // Metadata request with the defaults of ordinary topics.
            return missing.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        if (TopicNames.validate(name).isPresent()) {
            return missing.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
        }
        toCreate.add(new CreateTopicSpec(name, -1, (short) -1, Map.of(), Map.of()));
        return missing.setErrorCode(Errors.LEADER_NOT_AVAILABLE.code());
    }

    /**
     * The controller as clients see it: a broker they can send controller requests to (CreateTopics, ElectLeaders,
     * ...), which passes them on. That is the quorum leader when it is a live broker, else this node: a dedicated
     * controller has no broker listener, and a client that looks the id up among the brokers must find it there
     * (KRaft brokers answer with a broker too).
     */
    private int controllerId(MetadataImage image) {
        int leader = broker.quorum().leaderId();
        boolean leaderIsBroker = leader >= 0 && image.cluster().brokers().containsKey(leader)
                && !image.cluster().isFenced(leader);
        return leaderIsBroker ? leader : broker.nodeId();
    }

    private MetadataResponseTopic describe(TopicImage topic, short version) {
        MetadataImage image = broker.image();
        MetadataResponseTopic result = new MetadataResponseTopic()
                .setName(topic.name())
                .setTopicId(topic.id())
                .setIsInternal(TopicNames.isInternal(topic.name()))
                .setErrorCode(Errors.NONE.code());
        topic.partitions().values().stream()
                .sorted(java.util.Comparator.comparingInt(PartitionRecord::partition))
                .forEach(p -> result.partitions().add(new MetadataResponsePartition()
                        .setPartitionIndex(p.partition())
                        .setLeaderId(p.leader())
                        .setLeaderEpoch(p.leaderEpoch())
                        .setReplicaNodes(p.replicas())
                        .setIsrNodes(p.isr())
                        .setOfflineReplicas(p.replicas().stream().filter(r -> image.cluster().isFenced(r)).toList())
                        .setErrorCode(p.leader() < 0 ? Errors.LEADER_NOT_AVAILABLE.code() : Errors.NONE.code())));
        return result;
    }

    static void addBrokers(MetadataResponseData response, MetadataImage image, String listenerName) {
        for (RegisterBrokerRecord registration : image.cluster().brokers().values()) {
            if (image.cluster().isFenced(registration.brokerId())) {
                continue;
            }
            endpointFor(registration, listenerName).ifPresent(endpoint -> response.brokers().add(
                    new MetadataResponseBroker()
                            .setNodeId(registration.brokerId())
                            .setHost(endpoint.host())
                            .setPort(endpoint.port())
                            .setRack(registration.rack())));
        }
    }

    static Optional<Endpoint> endpointFor(RegisterBrokerRecord registration, String listenerName) {
        return registration.endpoints().stream().filter(e -> e.listener().equals(listenerName)).findFirst();
    }
}
