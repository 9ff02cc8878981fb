package io.spool.broker.handler;

import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.protocol.KafkaRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DeleteTopics by name, and from v6 by topic id. The controller removes the topic from the metadata; every broker
 * then deletes its logs.
 *
 * <p>Errors: TOPIC_DELETION_DISABLED (delete.topic.enable=false), UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID,
 * INVALID_REQUEST (both or neither of name and id).
 */
public final class DeleteTopicsHandler implements RequestHandler {
    private final BrokerContext broker;

    public DeleteTopicsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        DeleteTopicsRequestData data = request.body();
        List<String> names = new ArrayList<>(data.topicNames());
        List<Uuid> ids = new ArrayList<>();
        DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        for (DeleteTopicState state : data.topics()) {
            boolean hasName = state.name() != null;
            boolean hasId = state.topicId() != null && !Uuid.ZERO_UUID.equals(state.topicId());
            if (hasName == hasId) {
                response.responses().add(new DeletableTopicResult().setName(state.name())
                        .setTopicId(state.topicId()).setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Give either a topic name or a topic id"));
            } else if (hasName) {
                names.add(state.name());
            } else {
                ids.add(state.topicId());
            }
        }
        if (!broker.config().getBoolean("delete.topic.enable")) {
            return CompletableFuture.completedFuture(failAll(response, names, ids, Errors.TOPIC_DELETION_DISABLED));
        }
        DeleteTopicsRequestData forwarded = new DeleteTopicsRequestData().setTimeoutMs(data.timeoutMs());
        names.forEach(n -> forwarded.topics().add(new DeleteTopicState().setName(n)));
        ids.forEach(id -> forwarded.topics().add(new DeleteTopicState().setTopicId(id)));
        if (forwarded.topics().isEmpty()) {
            return CompletableFuture.completedFuture(response);
        }
        return broker.controller().call(ApiKeys.DELETE_TOPICS, forwarded, Math.max(1, data.timeoutMs()))
                .handle((answer, error) -> {
                    if (error != null) {
                        return failAll(response, names, ids, Errors.NOT_CONTROLLER);
                    }
                    for (DeletableTopicResult r : ((DeleteTopicsResponseData) answer).responses()) {
                        response.responses().add(r.duplicate());
                    }
                    return response;
                });
    }

    /** Adds {@code error} for every topic named and every topic id given. */
    private static DeleteTopicsResponseData failAll(DeleteTopicsResponseData response, List<String> names,
            List<Uuid> ids, Errors error) {
        names.forEach(n -> response.responses().add(new DeletableTopicResult().setName(n)
                .setErrorCode(error.code())));
        ids.forEach(id -> response.responses().add(new DeletableTopicResult().setTopicId(id).setName(null)
                .setErrorCode(error.code())));
        return response;
    }
}
