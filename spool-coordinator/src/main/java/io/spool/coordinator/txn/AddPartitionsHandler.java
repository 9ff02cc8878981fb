package io.spool.coordinator.txn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;

/**
 * Adds partitions to a transaction (AddPartitionsToTxn, AddOffsetsToTxn) and verifies them (KIP-890 part 1).
 * Runs under the coordinator's lock; answers are handed to callbacks that run under it too.
 */
final class AddPartitionsHandler {

    private final TxnContext ctx;

    AddPartitionsHandler(TxnContext ctx) {
        this.ctx = ctx;
    }

    /**
     * The checks every request of a producer makes before it touches its transaction.
     *
     * @return INVALID_PRODUCER_ID_MAPPING (unknown id or another producer id), PRODUCER_FENCED (another epoch, or
     *     the epoch is being fenced), CONCURRENT_TRANSACTIONS (a write is in flight), or NONE
     */
    static Errors checkProducer(TxnShard shard, TxnMetadata meta, long producerId, short producerEpoch) {
        if (meta == null || meta.state() == TxnState.DEAD || meta.producerId() != producerId) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (meta.producerEpoch() != producerEpoch || meta.state() == TxnState.PREPARE_EPOCH_FENCE) {
            return Errors.PRODUCER_FENCED;
        }
        if (shard.pending.contains(meta.transactionalId())) {
            return Errors.CONCURRENT_TRANSACTIONS;
        }
        return Errors.NONE;
    }

    /** The partitions of a request that do not exist, or an empty set. */
    Set<TopicPartition> unknownPartitions(Set<TopicPartition> partitions) {
        Set<TopicPartition> unknown = new HashSet<>();
        for (TopicPartition tp : partitions) {
            if (!ctx.partitionExists.test(tp)) {
                unknown.add(tp);
            }
        }
        return unknown;
    }

    /**
     * Adds {@code partitions} to the transaction of {@code id}: Ongoing with the union, started now unless it was
     * Ongoing already. All partitions already in an Ongoing transaction (or none) answer NONE without a write.
     *
     * <p>Errors (for all partitions): INVALID_REQUEST (empty transactional id); NOT_COORDINATOR;
     * COORDINATOR_LOAD_IN_PROGRESS; INVALID_PRODUCER_ID_MAPPING; PRODUCER_FENCED; CONCURRENT_TRANSACTIONS (a write
     * in flight, or PrepareCommit/PrepareAbort); the write's error (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR,
     * UNKNOWN_SERVER_ERROR).
     */
    void handleAddPartitions(String id, long producerId, short producerEpoch, Set<TopicPartition> partitions,
                             Consumer<Errors> answer) {
        if (id == null || id.isEmpty()) {
            answer.accept(Errors.INVALID_REQUEST);
            return;
        }
        Errors[] error = {Errors.NONE};
        TxnShard shard = ctx.route(id, error);
        if (shard == null) {
            answer.accept(error[0]);
            return;
        }
        TxnMetadata meta = shard.txns.get(id);
        Errors check = checkProducer(shard, meta, producerId, producerEpoch);
        if (check != Errors.NONE) {
            answer.accept(check);
            return;
        }
        if (meta.state().isPrepare()) {
            answer.accept(Errors.CONCURRENT_TRANSACTIONS);
            return;
        }
        if (partitions.isEmpty() || (meta.state() == TxnState.ONGOING && meta.partitions().containsAll(partitions))) {
            answer.accept(Errors.NONE);
            return;
        }
        Set<TopicPartition> union = new HashSet<>(meta.partitions());
        union.addAll(partitions);
        long now = ctx.now();
        long start = meta.state() == TxnState.ONGOING ? meta.txnStartTimestamp() : now;
        ctx.write(shard, id, meta.transitTo(TxnState.ONGOING, union, start, now), answer);
    }

    /** The partition of {@code __consumer_offsets} that a group's offsets go to. */
    TopicPartition offsetsPartition(String groupId) {
        return new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, ctx.groupPartition.applyAsInt(groupId));
    }

    /**
     * Verification for a partition leader (AddPartitionsToTxn v4+ with verifyOnly, KIP-890 part 1): NONE for each
     * partition in the id's Ongoing transaction of this producer id and epoch, else INVALID_TXN_STATE; every
     * partition gets NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, INVALID_PRODUCER_ID_MAPPING or PRODUCER_FENCED
     * when the id fails those checks. Looks at durable state only: a write in flight does not change the answer.
     */
    Map<TopicPartition, Errors> handleVerify(String id, long producerId, short producerEpoch,
                                             Set<TopicPartition> partitions) {
        Errors[] error = {Errors.NONE};
        TxnShard shard = ctx.route(id, error);
        TxnMetadata meta = shard == null ? null : shard.txns.get(id);
        if (shard != null) {
            if (meta == null || meta.producerId() != producerId) {
                error[0] = Errors.INVALID_PRODUCER_ID_MAPPING;
            } else if (meta.producerEpoch() != producerEpoch) {
                error[0] = Errors.PRODUCER_FENCED;
            }
        }
        Map<TopicPartition, Errors> out = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            if (error[0] != Errors.NONE) {
                out.put(tp, error[0]);
            } else {
                boolean in = meta.state() == TxnState.ONGOING && meta.partitions().contains(tp);
                out.put(tp, in ? Errors.NONE : Errors.INVALID_TXN_STATE);
            }
        }
        return out;
    }

    /** Each partition's error when some do not exist: UNKNOWN_TOPIC_OR_PARTITION, OPERATION_NOT_ATTEMPTED. */
    static Map<TopicPartition, Errors> unknownErrors(Set<TopicPartition> all, Set<TopicPartition> unknown) {
        Map<TopicPartition, Errors> out = new HashMap<>();
        for (TopicPartition tp : all) {
            out.put(tp, unknown.contains(tp) ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.OPERATION_NOT_ATTEMPTED);
        }
        return out;
    }

    static Map<TopicPartition, Errors> same(Set<TopicPartition> all, Errors error) {
        Map<TopicPartition, Errors> out = new HashMap<>();
        all.forEach(tp -> out.put(tp, error));
        return out;
    }

    static List<TopicPartition> sorted(Set<TopicPartition> partitions) {
        List<TopicPartition> list = new ArrayList<>(partitions);
        list.sort(TxnMetadata.ORDER);
        return list;
    }
}
