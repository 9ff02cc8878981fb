package io.spool.broker.fetch;

import io.spool.broker.handler.BrokerContext;
import io.spool.broker.replica.Partition;
import io.spool.metadata.TopicImage;
import io.spool.protocol.FileSliceRecords;
import io.spool.storage.LogReadResult;
import io.spool.storage.LogSlice;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Reads one partition for a fetch: resolves it, checks the leader epoch the client believes in, and slices the log
 * up to the high watermark. Stateless.
 *
 * <p>Errors: UNKNOWN_TOPIC_ID, UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH,
 * UNKNOWN_LEADER_EPOCH, OFFSET_OUT_OF_RANGE.
 */
final class PartitionReader {
    private final BrokerContext broker;
    /** The follower this reader serves, or -1 for consumers. */
    private final int replicaId;

    PartitionReader(BrokerContext broker) {
        this(broker, -1);
    }

    private PartitionReader(BrokerContext broker, int replicaId) {
        this.broker = broker;
        this.replicaId = replicaId;
    }

    /** A reader for the fetches of follower {@code replicaId}: up to the log end, recording what it fetched. */
    PartitionReader forReplica(int replica) {
        return new PartitionReader(broker, replica);
    }

    /** Whether a waiting fetch should wake on the log end (followers) rather than the high watermark. */
    boolean watchesLogEnd() {
        return replicaId >= 0;
    }

    /** The partition an entry names, if this node hosts it: what a waiting fetch watches. */
    Optional<Partition> partitionOf(FetchSession.Entry entry) {
        return resolve(entry).flatMap(t -> broker.replicas().partition(new TopicPartition(t.name(),
                entry.key.partition())));
    }

    PartitionData read(FetchSession.Entry entry, int maxBytes, boolean minOneBatch) {
        PartitionData out = new PartitionData().setPartitionIndex(entry.key.partition())
                .setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
                .setRecords(MemoryRecords.EMPTY);
        Optional<TopicImage> topic = resolve(entry);
        if (topic.isEmpty()) {
            return out.setErrorCode(entry.key.topicId() != null && entry.key.topic() == null
                    ? Errors.UNKNOWN_TOPIC_ID.code() : Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        entry.topicName = topic.get().name();
        if (!topic.get().partitions().containsKey(entry.key.partition())) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        Optional<Partition> partition = broker.replicas().partition(new TopicPartition(topic.get().name(),
                entry.key.partition()));
        if (partition.isEmpty() || partition.get().leaderId() != broker.nodeId()) {
            // KIP-951: where the leader is now (v12+; older versions drop the field).
            var record = topic.get().partitions().get(entry.key.partition());
            if (record.leader() >= 0) {
                out.setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch().setLeaderId(record.leader())
                        .setLeaderEpoch(record.leaderEpoch()));
            }
            return out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
        }
        Partition p = partition.get();
        if (entry.currentLeaderEpoch >= 0 && entry.currentLeaderEpoch != p.leaderEpoch()) {
            return out.setErrorCode(entry.currentLeaderEpoch < p.leaderEpoch()
                    ? Errors.FENCED_LEADER_EPOCH.code() : Errors.UNKNOWN_LEADER_EPOCH.code());
        }
        long limit;
        if (replicaId >= 0) {
            if (!p.replicas().contains(replicaId)) {
                return out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
            }
            if (entry.lastFetchedEpoch >= 0) {
                Map.Entry<Integer, Long> end = p.log().endOffsetForEpoch(entry.lastFetchedEpoch);
                if (end.getKey() != entry.lastFetchedEpoch || end.getValue() < entry.fetchOffset) {
                    // An unknown epoch is sent as (-1, log start) so that it is told apart from "no divergence".
                    long endOffset = end.getKey() < 0 ? p.log().logStartOffset() : end.getValue();
                    return out.setHighWatermark(p.log().highWatermark())
                            .setLastStableOffset(p.log().highWatermark()).setLogStartOffset(p.log().logStartOffset())
                            .setDivergingEpoch(new FetchResponseData.EpochEndOffset().setEpoch(end.getKey())
                                    .setEndOffset(endOffset));
                }
            }
            broker.replicas().onFollowerFetch(p, replicaId, entry.fetchOffset);
            limit = Long.MAX_VALUE;
        } else {
            limit = p.log().highWatermark();
        }
        LogReadResult result = p.log().read(entry.fetchOffset, maxBytes, limit, minOneBatch);
        out.setHighWatermark(result.highWatermark()).setLastStableOffset(result.highWatermark())
                .setLogStartOffset(result.logStartOffset()).setErrorCode(result.error().code());
        LogSlice slice = result.records();
        if (result.error() == Errors.NONE && slice != null && slice.sizeInBytes() > 0) {
            out.setRecords(new FileSliceRecords(slice.channel(), slice.position(), slice.sizeInBytes()));
        }
        return out;
    }

    private Optional<TopicImage> resolve(FetchSession.Entry entry) {
        if (entry.key.topic() == null) {
            return broker.image().topics().byId(entry.key.topicId());
        }
        return broker.image().topics().byName(entry.key.topic());
    }
}
