package io.spool.broker.handler;

import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.broker.replica.Partition;
import io.spool.protocol.KafkaRequest;
import io.spool.storage.OffsetAndTimestamp;
import io.spool.storage.PartitionLog;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * ListOffsets: earliest (-2), latest (-1, the high watermark, which is also the last stable offset without
 * transactions), max timestamp (-3), earliest local (-4, the same as earliest without tiered storage), latest
 * tiered and earliest pending upload (-5, -6: none without tiered storage), and the first offset at or after a
 * timestamp.
 *
 * <p>Errors: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH,
 * INVALID_REQUEST (an unknown negative timestamp).
 */
public final class ListOffsetsHandler implements RequestHandler {
    static final long LATEST = -1;
    static final long EARLIEST = -2;
    static final long MAX_TIMESTAMP = -3;
    static final long EARLIEST_LOCAL = -4;
    static final long LATEST_TIERED = -5;
    static final long EARLIEST_PENDING_UPLOAD = -6;

    private final BrokerContext broker;

    public ListOffsetsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        ListOffsetsRequestData data = request.body();
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (ListOffsetsTopic topic : data.topics()) {
            ListOffsetsTopicResponse out = new ListOffsetsTopicResponse().setName(topic.name());
            response.topics().add(out);
            for (ListOffsetsPartition p : topic.partitions()) {
                ListOffsetsPartitionResponse result = lookup(topic.name(), p, data.isolationLevel() == 1);
                if (request.apiVersion() < 4) {
                    // The leader epoch is not ignorable: versions before 4 cannot carry it.
                    result.setLeaderEpoch(-1);
                }
                out.partitions().add(result);
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private ListOffsetsPartitionResponse lookup(String topic, ListOffsetsPartition request, boolean readCommitted) {
        ListOffsetsPartitionResponse out = new ListOffsetsPartitionResponse()
                .setPartitionIndex(request.partitionIndex()).setOffset(-1).setTimestamp(-1).setLeaderEpoch(-1);
        TopicPartition tp = new TopicPartition(topic, request.partitionIndex());
        Optional<Partition> partition = broker.replicas().partition(tp);
        if (partition.isEmpty()) {
            boolean exists = broker.image().topics().byName(topic)
                    .map(t -> t.partitions().containsKey(request.partitionIndex())).orElse(false);
            return out.setErrorCode(exists ? Errors.NOT_LEADER_OR_FOLLOWER.code()
                    : Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        Partition p = partition.get();
        if (p.leaderId() != broker.nodeId()) {
            return out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
        }
        if (request.currentLeaderEpoch() >= 0 && request.currentLeaderEpoch() != p.leaderEpoch()) {
            return out.setErrorCode(request.currentLeaderEpoch() < p.leaderEpoch()
                    ? Errors.FENCED_LEADER_EPOCH.code() : Errors.UNKNOWN_LEADER_EPOCH.code());
        }
        PartitionLog log = p.log();
        long ts = request.timestamp();
        // A read_committed consumer sees up to the last stable offset, as its fetches do.
        long visibleEnd = readCommitted ? log.lastStableOffset() : log.highWatermark();
        if (ts == LATEST) {
            return out.setOffset(visibleEnd).setLeaderEpoch(p.leaderEpoch());
        }
        if (ts == EARLIEST || ts == EARLIEST_LOCAL) {
            return out.setOffset(log.logStartOffset()).setLeaderEpoch(p.leaderEpoch());
        }
        if (ts == LATEST_TIERED || ts == EARLIEST_PENDING_UPLOAD) {
            return out;
        }
        OffsetAndTimestamp found;
        if (ts == MAX_TIMESTAMP) {
            found = log.maxTimestampOffset();
        } else if (ts >= 0) {
            found = log.offsetForTimestamp(ts);
        } else {
            return out.setErrorCode(Errors.INVALID_REQUEST.code());
        }
        if (found == null || found.offset() >= visibleEnd) {
            return out;
        }
        return out.setOffset(found.offset()).setTimestamp(found.timestamp()).setLeaderEpoch(found.leaderEpoch());
    }
}
