package io.spool.broker.handler;

import io.spool.broker.cluster.ControllerChannel;
import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.protocol.KafkaRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;


/**
 * CreateTopics, with validate-only mode, sent on to the active controller (this node or another, see
 * {@link ControllerChannel}), which validates and commits each topic as one metadata record batch; from v5 the
 * response carries the partitions, replication factor and effective configs of each topic (see ControllerApis).
 *
 * <p>Errors per topic come from the controller: TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS,
 * INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT, INVALID_CONFIG, INVALID_REQUEST.
 */
public final class CreateTopicsHandler implements RequestHandler {
    private final BrokerContext broker;

    public CreateTopicsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        CreateTopicsRequestData data = request.body();
        long timeoutMs = Math.max(1, data.timeoutMs());
        return broker.controller().call(ApiKeys.CREATE_TOPICS, request.apiVersion(), data, timeoutMs)
                .exceptionally(error -> notController(data));
    }

    private static CreateTopicsResponseData notController(CreateTopicsRequestData data) {
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        data.topics().forEach(t -> response.topics().add(new CreatableTopicResult().setName(t.name())
                .setErrorCode(Errors.NOT_CONTROLLER.code())));
        return response;
    }
}
