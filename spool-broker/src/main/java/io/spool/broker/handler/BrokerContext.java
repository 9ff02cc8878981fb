package io.spool.broker.handler;

import io.spool.metadata.CreateTopicSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

import io.spool.broker.ServerConfig;
import io.spool.broker.replica.ReplicaManager;
import io.spool.broker.cluster.ControllerChannel;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.MetadataQuorum;
import java.time.Clock;

/** What request handlers share: this node's identity and configuration, the metadata and the replicas. Immutable. */
public record BrokerContext(ServerConfig config, String clusterId, MetadataQuorum quorum, ControllerChannel controller,
        ReplicaManager replicas, Clock clock) {

    public int nodeId() {
        return config.nodeId();
    }

    /** Creates topics through the active controller, wherever it is; the future completes with its answer. */
    public CompletableFuture<CreateTopicsResponseData> createTopics(List<CreateTopicSpec> specs) {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000);
        for (CreateTopicSpec spec : specs) {
            CreateTopicsRequestData.CreatableTopic topic = new CreateTopicsRequestData.CreatableTopic()
                    .setName(spec.name()).setNumPartitions(spec.numPartitions())
                    .setReplicationFactor(spec.replicationFactor());
            spec.assignments().forEach((p, brokers) -> topic.assignments().add(
                    new CreateTopicsRequestData.CreatableReplicaAssignment().setPartitionIndex(p)
                            .setBrokerIds(new ArrayList<>(brokers))));
            spec.configs().forEach((name, value) -> topic.configs().add(
                    new CreateTopicsRequestData.CreatableTopicConfig().setName(name).setValue(value)));
            request.topics().add(topic);
        }
        return controller.call(ApiKeys.CREATE_TOPICS, request, 30_000)
                .thenApply(response -> (CreateTopicsResponseData) response);
    }

    public MetadataImage image() {
        return quorum.image();
    }
}
