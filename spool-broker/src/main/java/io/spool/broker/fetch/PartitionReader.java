package io.spool.broker.fetch;

import io.spool.broker.handler.BrokerContext;
import io.spool.broker.replica.Partition;
import io.spool.metadata.TopicImage;
import io.spool.protocol.FileSliceRecords;
import io.spool.storage.AbortedTxn;
import io.spool.storage.LogReadResult;
import io.spool.storage.LogSlice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Reads one partition for a fetch: resolves it, checks the leader epoch the client believes in, and slices the log
 * up to the high watermark, or for a read_committed consumer up to the last stable offset, listing the aborted
 * transactions in the range so that the client drops their records (as Kafka, the batches are sent unfiltered).
 * Stateless.
 *
 * <p>For a follower, a replica throttled by KIP-73 (see {@link io.spool.broker.replica.ReplicationThrottles}) is
 * answered without records while the leader's replication rate is used up.
 *
 * <p>Errors: UNKNOWN_TOPIC_ID, UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH,
 * UNKNOWN_LEADER_EPOCH, OFFSET_OUT_OF_RANGE. Never UNSUPPORTED_COMPRESSION_TYPE: zstd batches go to a fetch below
 * v10 as stored, as in Kafka 4 (KAFKA-18269 dropped the old check on the topic's compression.type along with
 * down-conversion; it never looked at what producers had compressed anyway).
 */
final class PartitionReader {
    private final BrokerContext broker;
    /** The follower this reader serves, or -1 for consumers. */
    private final int replicaId;
    /** The broker epoch the follower fetches with (v15+), or -1. */
    private final long replicaEpoch;
    /** The consumer's rack (KIP-392), or null; with a rack-aware selector, it may be sent to a closer replica. */
    private final String clientRack;
    /** Whether consumers may read from followers (fetch v11+). */
    private final boolean followerReads;
    /** A read_committed consumer: reads up to the last stable offset and is told of aborted transactions. */
    private final boolean readCommitted;

    PartitionReader(BrokerContext broker) {
        this(broker, -1, -1, null, false, false);
    }

    private PartitionReader(BrokerContext broker, int replicaId, long replicaEpoch, String clientRack,
            boolean followerReads, boolean readCommitted) {
        this.broker = broker;
        this.replicaId = replicaId;
        this.replicaEpoch = replicaEpoch;
        this.clientRack = clientRack;
        this.followerReads = followerReads;
        this.readCommitted = readCommitted;
    }

    /** A reader for the fetches of follower {@code replica}: up to the log end, recording what it fetched. */
    PartitionReader forReplica(int replica, long brokerEpoch) {
        return new PartitionReader(broker, replica, brokerEpoch, null, false, false);
    }

    /**
     * A reader for a consumer's fetch of version {@code version} from rack {@code rack}: from v11 a consumer may
     * read from a follower (up to the follower's high watermark) and be told of a replica in its own rack (KIP-392).
     */
    PartitionReader forConsumer(short version, String rack, byte isolationLevel) {
        boolean v11 = version >= 11;
        return new PartitionReader(broker, -1, -1, v11 && rack != null && !rack.isEmpty() ? rack : null, v11,
                isolationLevel == 1);
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
        boolean servesFollowerRead = followerReads && partition.isPresent() && !partition.get().isLeader()
                && partition.get().leaderId() >= 0;
        if (partition.isEmpty() || (partition.get().leaderId() != broker.nodeId() && !servesFollowerRead)) {
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
        if (replicaId < 0 && clientRack != null && p.isLeader()) {
            int preferred = preferredReadReplica(p);
            if (preferred >= 0) {
                return out.setHighWatermark(p.log().highWatermark()).setLastStableOffset(p.log().lastStableOffset())
                        .setLogStartOffset(p.log().logStartOffset()).setPreferredReadReplica(preferred);
            }
        }
        if (replicaId >= 0) {
            if (!p.replicas().contains(replicaId)) {
                return out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
            }
            if (entry.lastFetchedEpoch >= 0) {
                Map.Entry<Integer, Long> end = p.log().endOffsetForEpoch(entry.lastFetchedEpoch);
                if (end.getKey() != entry.lastFetchedEpoch || end.getValue() < entry.fetchOffset) {
                    p.forgetFollowerLogEnd(replicaId);
                    // An unknown epoch is sent as (-1, log start) so that it is told apart from "no divergence".
                    long endOffset = end.getKey() < 0 ? p.log().logStartOffset() : end.getValue();
                    return out.setHighWatermark(p.log().highWatermark())
                            .setLastStableOffset(p.log().lastStableOffset()).setLogStartOffset(p.log().logStartOffset())
                            .setDivergingEpoch(new FetchResponseData.EpochEndOffset().setEpoch(end.getKey())
                                    .setEndOffset(endOffset));
                }
            }
            broker.replicas().onFollowerFetch(p, replicaId, replicaEpoch, entry.fetchOffset,
                    entry.replicaLogStartOffset, broker.image());
            if (broker.replicas().throttles().shouldLeaderThrottle(p.topicPartition(), p.isr().contains(replicaId))) {
                // KIP-73: an out-of-sync throttled replica gets no records while the leader's rate is used up.
                return out.setHighWatermark(p.log().highWatermark()).setLastStableOffset(p.log().lastStableOffset())
                        .setLogStartOffset(p.log().logStartOffset());
            }
            limit = Long.MAX_VALUE;
        } else {
            limit = readCommitted ? p.log().lastStableOffset() : p.log().highWatermark();
        }
        LogReadResult result = p.log().read(entry.fetchOffset, maxBytes, limit, minOneBatch);
        out.setHighWatermark(result.highWatermark()).setLastStableOffset(p.log().lastStableOffset())
                .setLogStartOffset(result.logStartOffset()).setErrorCode(result.error().code());
        if (readCommitted && result.error() == Errors.NONE) {
            List<FetchResponseData.AbortedTransaction> aborted = new ArrayList<>();
            for (AbortedTxn txn : p.log().abortedTransactions(entry.fetchOffset, limit)) {
                aborted.add(new FetchResponseData.AbortedTransaction().setProducerId(txn.producerId())
                        .setFirstOffset(txn.firstOffset()));
            }
            out.setAbortedTransactions(aborted);
        }
        LogSlice slice = result.records();
        if (result.error() == Errors.NONE && slice != null && slice.sizeInBytes() > 0) {
            out.setRecords(new FileSliceRecords(slice.channel(), slice.position(), slice.sizeInBytes()));
            if (replicaId >= 0) {
                // Counted when read: a follower's fetch (min.bytes 1) answers as soon as a read returns records.
                broker.replicas().throttles().recordLeader(p.topicPartition(), slice.sizeInBytes());
            }
        }
        return out;
    }

    /**
     * KIP-392 with Kafka's rack-aware selector ({@code replica.selector.class}): an in-sync replica in the consumer's
     * rack, unless the leader is in it; -1 for none (read from the leader).
     */
    private int preferredReadReplica(Partition p) {
        if (!"org.apache.kafka.common.replica.RackAwareReplicaSelector".equals(
                broker.config().getString("replica.selector.class"))) {
            return -1;
        }
        var brokers = broker.image().cluster().brokers();
        var self = brokers.get(broker.nodeId());
        if (self != null && clientRack.equals(self.rack())) {
            return -1;
        }
        for (int id : p.isr()) {
            var registration = brokers.get(id);
            if (id != broker.nodeId() && registration != null && clientRack.equals(registration.rack())
                    && !broker.image().cluster().isFenced(id)) {
                return id;
            }
        }
        return -1;
    }

    private Optional<TopicImage> resolve(FetchSession.Entry entry) {
        if (entry.key.topic() == null) {
            return broker.image().topics().byId(entry.key.topicId());
        }
        return broker.image().topics().byName(entry.key.topic());
    }
}
