package io.spool.broker.handler;

import io.spool.broker.cluster.ControllerChannel;
import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.protocol.KafkaRequest;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * CreatePartitions (v0-v3, which differ only in encoding and throttling), with validate-only mode, sent on to the
 * active controller (this node or another, see {@link ControllerChannel}), which adds the partitions of every valid
 * topic in one metadata record batch; each broker creates the logs of its new replicas when it applies them.
 *
 * <p>Errors per topic come from the controller (see {@code io.spool.metadata.PartitionAddition}): INVALID_REQUEST,
 * POLICY_VIOLATION, UNKNOWN_TOPIC_OR_PARTITION, INVALID_PARTITIONS, INVALID_REPLICA_ASSIGNMENT,
 * INVALID_REPLICATION_FACTOR; NOT_CONTROLLER when no controller answered in time.
 */
public final class CreatePartitionsHandler implements RequestHandler {
    private final BrokerContext broker;

    public CreatePartitionsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        CreatePartitionsRequestData data = request.body();
        long timeoutMs = Math.max(1, data.timeoutMs());
        return broker.controller().call(ApiKeys.CREATE_PARTITIONS, request.apiVersion(), data, timeoutMs)
                .exceptionally(error -> notController(data));
    }

    private static CreatePartitionsResponseData notController(CreatePartitionsRequestData data) {
        Set<String> names = new LinkedHashSet<>();
        data.topics().forEach(t -> names.add(t.name()));
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        names.forEach(name -> response.results().add(new CreatePartitionsTopicResult().setName(name)
                .setErrorCode(Errors.NOT_CONTROLLER.code()).setErrorMessage(Errors.NOT_CONTROLLER.message())));
        return response;
    }
}
