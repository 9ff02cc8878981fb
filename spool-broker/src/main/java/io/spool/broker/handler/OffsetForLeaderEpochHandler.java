package io.spool.broker.handler;

import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.broker.replica.Partition;
import io.spool.protocol.KafkaRequest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetForLeaderEpoch (KIP-101, KIP-320): for each partition this node leads, the end offset of the largest leader
 * epoch at or below the one asked for, so a consumer that saw a leader change can tell whether the log it read was
 * truncated. Followers learn of divergence from their fetches instead (Fetch v12+).
 *
 * <p>Errors: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH and UNKNOWN_LEADER_EPOCH for a
 * current leader epoch older or newer than this leader's.
 */
public final class OffsetForLeaderEpochHandler implements RequestHandler {
    private final BrokerContext broker;

    public OffsetForLeaderEpochHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        OffsetForLeaderEpochRequestData data = request.body();
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic : data.topics()) {
            OffsetForLeaderTopicResult out = new OffsetForLeaderTopicResult().setTopic(topic.topic());
            response.topics().add(out);
            for (OffsetForLeaderEpochRequestData.OffsetForLeaderPartition p : topic.partitions()) {
                out.partitions().add(answer(topic.topic(), p));
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private EpochEndOffset answer(String topic, OffsetForLeaderEpochRequestData.OffsetForLeaderPartition p) {
        EpochEndOffset out = new EpochEndOffset().setPartition(p.partition()).setLeaderEpoch(-1).setEndOffset(-1);
        boolean known = broker.image().topics().byName(topic)
                .map(t -> t.partitions().containsKey(p.partition())).orElse(false);
        if (!known) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        Optional<Partition> partition = broker.replicas().partition(new TopicPartition(topic, p.partition()));
        if (partition.isEmpty() || !partition.get().isLeader()) {
            return out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
        }
        Partition leader = partition.get();
        if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() != leader.leaderEpoch()) {
            return out.setErrorCode(p.currentLeaderEpoch() < leader.leaderEpoch()
                    ? Errors.FENCED_LEADER_EPOCH.code() : Errors.UNKNOWN_LEADER_EPOCH.code());
        }
        Map.Entry<Integer, Long> end = leader.log().endOffsetForEpoch(p.leaderEpoch());
        return out.setErrorCode(Errors.NONE.code()).setLeaderEpoch(end.getKey()).setEndOffset(end.getValue());
    }
}
