package io.spool.broker.handler;

import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.broker.replica.DeleteRecordsOutcome;
import io.spool.broker.replica.Partition;
import io.spool.protocol.KafkaRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DeleteRecords (v0-2): per partition, the leader raises its log start offset to the requested offset (-1: the high
 * watermark) and answers once the low watermark (the lowest log start offset over the live replicas) has reached it;
 * see {@link io.spool.broker.replica.ReplicaManager#deleteRecords}. The response waits for every partition (each
 * bounded by the request's {@code timeout_ms}) and is completed by follower fetches or a timer, never by a blocked
 * thread.
 *
 * <p>Errors per partition, checked in Kafka's order: UNKNOWN_TOPIC_OR_PARTITION (not in the metadata),
 * NOT_LEADER_OR_FOLLOWER (this node does not lead it), POLICY_VIOLATION ({@code cleanup.policy} without
 * {@code delete}), OFFSET_OUT_OF_RANGE (negative other than -1, or above the high watermark), KAFKA_STORAGE_ERROR,
 * REQUEST_TIMED_OUT (the replicas did not follow within the timeout; the start offset has moved on the leader).
 */
public final class DeleteRecordsHandler implements RequestHandler {
    private final BrokerContext broker;
    private final TopicConfigView topicConfigs;

    public DeleteRecordsHandler(BrokerContext broker, TopicConfigView topicConfigs) {
        this.broker = broker;
        this.topicConfigs = topicConfigs;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        DeleteRecordsRequestData data = request.body();
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (DeleteRecordsTopic topic : data.topics()) {
            DeleteRecordsTopicResult out = response.topics().find(topic.name());
            if (out == null) {
                out = new DeleteRecordsTopicResult().setName(topic.name());
                response.topics().add(out);
            }
            for (DeleteRecordsPartition p : topic.partitions()) {
                DeleteRecordsPartitionResult result = new DeleteRecordsPartitionResult()
                        .setPartitionIndex(p.partitionIndex()).setLowWatermark(-1);
                out.partitions().add(result);
                pending.add(delete(topic.name(), p, data.timeoutMs()).thenAccept(outcome ->
                        result.setErrorCode(outcome.error().code()).setLowWatermark(outcome.lowWatermark())));
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(ignored -> response);
    }

    private CompletableFuture<DeleteRecordsOutcome> delete(String topic, DeleteRecordsPartition request,
            int timeoutMs) {
        boolean exists = broker.image().topics().byName(topic)
                .map(t -> t.partitions().containsKey(request.partitionIndex())).orElse(false);
        if (!exists) {
            return failed(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        Optional<Partition> partition = broker.replicas().partition(new TopicPartition(topic,
                request.partitionIndex()));
        if (partition.isEmpty() || !partition.get().isLeader()) {
            return failed(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        if (!allowsDeletion(topic)) {
            return failed(Errors.POLICY_VIOLATION);
        }
        return broker.replicas().deleteRecords(partition.get(), request.offset(), timeoutMs);
    }

    /** Whether the topic's cleanup.policy includes delete (Kafka refuses DeleteRecords on compact-only topics). */
    private boolean allowsDeletion(String topic) {
        String policy = topicConfigs.value(broker.image().configs().topicConfigs(topic), "cleanup.policy");
        return Arrays.stream(policy.split(",")).map(String::trim).anyMatch("delete"::equals);
    }

    private static CompletableFuture<DeleteRecordsOutcome> failed(Errors error) {
        return CompletableFuture.completedFuture(DeleteRecordsOutcome.failure(error));
    }
}
