package io.spool.coordinator;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Loads and unloads shards. A load replays the partition's records into a fresh shard without holding the lock
 * (the shard is marked loading, so no request touches it), then installs the groups and starts their timers under
 * the lock. A classic group comes back Empty or Stable (its last persisted generation and assignment); a consumer
 * group comes back exactly as last written; members get a fresh session timeout.
 */
final class GroupLoader {

    private final CoordinatorContext ctx;
    private final ClassicGroupHandler classic;
    private final ConsumerGroupHandler consumer;

    GroupLoader(CoordinatorContext ctx, ClassicGroupHandler classic, ConsumerGroupHandler consumer) {
        this.ctx = ctx;
        this.classic = classic;
        this.consumer = consumer;
    }

    /**
     * Replays {@code records}, then the records of still-open transactions become pending offsets of their producer,
     * and transaction ends reported during the load are applied in order (through {@code txn}).
     */
    void load(int partition, Iterable<CoordinatorRecord> records,
              Map<Long, ? extends Iterable<CoordinatorRecord>> pendingTransactional, TxnOffsetHandler txn) {
        CoordinatorShard shard = new CoordinatorShard(partition);
        ctx.locked(() -> {
            unload(partition);
            ctx.shards.put(partition, shard);
        });
        Map<String, CoordinatorRecordSerde.GroupValue> groups = new HashMap<>();
        try {
            for (CoordinatorRecord record : records) {
                CoordinatorRecordSerde.Decoded d = CoordinatorRecordSerde.decode(record);
                if (d.key() instanceof CoordinatorRecordSerde.OffsetKey k) {
                    TopicPartition tp = new TopicPartition(k.topic(), k.partition());
                    if (d.value() == null) {
                        shard.offsets.remove(k.group(), tp);
                    } else {
                        shard.offsets.put(k.group(), tp, (CoordinatorRecordSerde.OffsetValue) d.value());
                    }
                } else if (d.value() == null) {
                    groups.remove(d.key().group());
                } else {
                    groups.put(d.key().group(), (CoordinatorRecordSerde.GroupValue) d.value());
                }
            }
            pendingTransactional.forEach((producerId, batch) -> loadPending(shard, producerId, batch));
        } catch (RuntimeException e) {
            ctx.locked(() -> {
                if (ctx.shards.get(partition) == shard) {
                    ctx.shards.remove(partition);
                }
            });
            throw e;
        }
        ctx.locked(() -> {
            if (ctx.shards.get(partition) != shard) {
                return;
            }
            groups.forEach((id, v) -> shard.groups.put(id, v instanceof CoordinatorRecordSerde.ClassicGroupValue c
                ? ClassicGroup.fromValue(id, c)
                : ConsumerGroup.fromValue(id, (CoordinatorRecordSerde.ConsumerGroupValue) v)));
            shard.loading = false;
            shard.txnEndsWhileLoading.forEach(end -> txn.complete(shard, end.producerId(), end.commit()));
            shard.txnEndsWhileLoading.clear();
            for (Group g : shard.groups.values()) {
                if (g instanceof ClassicGroup c) {
                    c.members.values().forEach(m -> classic.rescheduleHeartbeat(shard, c, m));
                } else {
                    consumer.onLoaded(shard, (ConsumerGroup) g);
                }
            }
        });
    }

    /**
     * Spool writes only offsets in a transaction (a group a transactional commit creates is written outside it); a
     * tombstone cannot be in one, and would not be undone by an abort if it were, so it is refused as corrupt.
     */
    private static void loadPending(CoordinatorShard shard, long producerId, Iterable<CoordinatorRecord> batch) {
        for (CoordinatorRecord record : batch) {
            CoordinatorRecordSerde.Decoded d = CoordinatorRecordSerde.decode(record);
            if (!(d.key() instanceof CoordinatorRecordSerde.OffsetKey k) || d.value() == null) {
                throw new CorruptCoordinatorRecordException("producer " + producerId
                    + " has an open transaction with a record other than an offset commit");
            }
            shard.txnOffsets.put(producerId, k.group(), new TopicPartition(k.topic(), k.partition()),
                (CoordinatorRecordSerde.OffsetValue) d.value());
        }
    }

    /** Called under the lock. */
    void unload(int partition) {
        CoordinatorShard shard = ctx.shards.remove(partition);
        if (shard == null) {
            return;
        }
        shard.cancelAllTimers();
        for (Group g : shard.groups.values()) {
            if (g instanceof ClassicGroup c) {
                c.transitionTo(ClassicGroupState.DEAD, ctx.now());
                for (ClassicMember m : c.members.values()) {
                    m.completeJoin(ClassicGroupHandler.joinError(m.memberId, Errors.NOT_COORDINATOR));
                    m.completeSync(new SyncGroupResponseData().setErrorCode(Errors.NOT_COORDINATOR.code()));
                }
            }
        }
        shard.groups.clear();
    }

}
