package io.spool.broker.handler;

import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.metadata.CreateTopicResult;
import io.spool.metadata.CreateTopicSpec;
import io.spool.protocol.KafkaRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * CreateTopics, with validate-only mode: the controller validates and commits each topic as one metadata record
 * batch; from v5 the response carries the partitions, replication factor and effective configs of each topic.
 *
 * <p>Errors per topic come from the controller: TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS,
 * INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT, INVALID_CONFIG, INVALID_REQUEST.
 */
public final class CreateTopicsHandler implements RequestHandler {
    private final BrokerContext broker;
    private final TopicConfigView configs;

    public CreateTopicsHandler(BrokerContext broker, TopicConfigView configs) {
        this.broker = broker;
        this.configs = configs;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        CreateTopicsRequestData data = request.body();
        List<CreateTopicSpec> specs = new ArrayList<>();
        for (CreatableTopic topic : data.topics()) {
            Map<Integer, List<Integer>> assignments = new HashMap<>();
            for (CreatableReplicaAssignment a : topic.assignments()) {
                assignments.put(a.partitionIndex(), a.brokerIds());
            }
            Map<String, String> topicConfigs = new LinkedHashMap<>();
            for (CreatableTopicConfig c : topic.configs()) {
                topicConfigs.put(c.name(), c.value());
            }
            specs.add(new CreateTopicSpec(topic.name(), topic.numPartitions(), topic.replicationFactor(),
                    assignments, topicConfigs));
        }
        short version = request.apiVersion();
        return broker.controller().createTopics(specs, data.validateOnly()).thenApply(results -> {
            CreateTopicsResponseData response = new CreateTopicsResponseData();
            for (CreateTopicResult r : results) {
                CreatableTopicResult out = new CreatableTopicResult().setName(r.name())
                        .setErrorCode(r.error().code()).setErrorMessage(r.message());
                if (r.error() == Errors.NONE) {
                    out.setTopicId(r.topicId()).setNumPartitions(r.numPartitions())
                            .setReplicationFactor(r.replicationFactor());
                    if (version >= 5) {
                        for (TopicConfigView.Entry e : configs.describe(r.configs(), false, false)) {
                            out.configs().add(new CreatableTopicConfigs().setName(e.name()).setValue(e.value())
                                    .setReadOnly(false).setConfigSource(e.source()).setIsSensitive(false));
                        }
                    }
                }
                response.topics().add(out);
            }
            return response;
        });
    }
}
