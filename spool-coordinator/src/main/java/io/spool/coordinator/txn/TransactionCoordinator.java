package io.spool.coordinator.txn;

import io.spool.coordinator.CoordinatorRecord;
import io.spool.coordinator.CoordinatorRecordLog;
import io.spool.coordinator.CoordinatorTimer;
import io.spool.coordinator.CorruptCoordinatorRecordException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;

/**
 * The transaction coordinator (Kafka's transaction version 1: partitions are added with AddPartitionsToTxn v0-3,
 * the epoch is bumped only by InitProducerId and by the coordinator's own aborts), as a state machine over the
 * records of {@code __transaction_state} ({@link TxnRecordSerde}). Every state change is written first and applied
 * when durable; while a write is in flight for an id, its other requests get CONCURRENT_TRANSACTIONS.
 *
 * <p>An id lives in the shard of its partition ({@link #partitionFor}); the broker loads a shard with the
 * partition's coordinator epoch when it becomes leader, and unloads it when it stops. Requests for an id whose shard
 * is loading get COORDINATOR_LOAD_IN_PROGRESS, for one not loaded here NOT_COORDINATOR.
 *
 * <p>Thread safety: every method may be called from any thread. One lock serializes all state; it is never held
 * while calling the marker channel or the producer id source, nor while completing a response future.
 */
public final class TransactionCoordinator {

    private final TxnContext ctx;
    private final TxnCompleter completer;
    private final InitProducerIdHandler inits;
    private final AddPartitionsHandler adds;
    private final EndTxnHandler ends;
    private final TxnAdminHandler admin;
    private final TxnExpirer expirer;

    public TransactionCoordinator(TransactionCoordinatorConfig config, CoordinatorRecordLog log,
                                  TxnMarkerChannel markers, ProducerIdSource producerIds, CoordinatorTimer timer,
                                  Clock clock, ToIntFunction<String> groupPartition,
                                  Predicate<TopicPartition> partitionExists) {
        this.ctx = new TxnContext(config, log, markers, producerIds, timer, clock, groupPartition, partitionExists);
        this.completer = new TxnCompleter(ctx);
        this.inits = new InitProducerIdHandler(ctx, completer);
        this.adds = new AddPartitionsHandler(ctx);
        this.ends = new EndTxnHandler(ctx, completer);
        this.admin = new TxnAdminHandler(ctx);
        this.expirer = new TxnExpirer(ctx, completer);
    }

    /** The partition of {@code __transaction_state} that holds a transactional id, as Kafka computes it. */
    public static int partitionFor(String transactionalId, int numPartitions) {
        return Utils.abs(transactionalId.hashCode()) % numPartitions;
    }

    public int partitionFor(String transactionalId) {
        return partitionFor(transactionalId, ctx.config.numPartitions());
    }

    /**
     * Rebuilds a shard by replaying its records (later records win, tombstones delete), replacing any shard of the
     * partition; requests for its ids get COORDINATOR_LOAD_IN_PROGRESS meanwhile. Then completes every
     * PrepareCommit/PrepareAbort it found by sending its markers with {@code coordinatorEpoch}; Ongoing transactions
     * stay until they end or time out. Replays without the lock.
     *
     * @throws CorruptCoordinatorRecordException when a record does not decode; the partition is then not loaded
     */
    public void loadPartition(int partition, int coordinatorEpoch, Iterable<CoordinatorRecord> records) {
        TxnShard shard = new TxnShard(partition, coordinatorEpoch);
        ctx.locked(() -> replace(partition, shard));
        Map<String, TxnMetadata> replayed = new HashMap<>();
        try {
            for (CoordinatorRecord r : records) {
                TxnRecordSerde.Decoded d = TxnRecordSerde.decode(r);
                if (d.value() == null) {
                    replayed.remove(d.transactionalId());
                } else {
                    replayed.put(d.transactionalId(), d.value());
                }
            }
        } catch (RuntimeException e) {
            ctx.locked(() -> ctx.shards.remove(partition, shard));
            throw e;
        }
        ctx.locked(() -> {
            if (ctx.shards.get(partition) != shard) {
                return;
            }
            shard.txns.putAll(replayed);
            shard.loading = false;
            for (TxnMetadata m : replayed.values()) {
                if (m.state().isPrepare()) {
                    completer.sendMarkers(shard, m);
                }
            }
        });
    }

    private void replace(int partition, TxnShard shard) {
        TxnShard old = ctx.shards.put(partition, shard);
        if (old != null) {
            TxnCompleter.cancelAll(old);
        }
    }

    /** Drops a shard: its retries stop, and callbacks of writes still in flight answer NOT_COORDINATOR. */
    public void unloadPartition(int partition) {
        ctx.locked(() -> {
            TxnShard old = ctx.shards.remove(partition);
            if (old != null) {
                TxnCompleter.cancelAll(old);
            }
        });
    }

    public boolean isLoaded(int partition) {
        boolean[] loaded = {false};
        ctx.locked(() -> {
            TxnShard s = ctx.shards.get(partition);
            loaded[0] = s != null && !s.loading;
        });
        return loaded[0];
    }

    /** InitProducerId for a non-null transactional id; see {@link InitProducerIdHandler#handleInitProducerId}. */
    public CompletableFuture<InitProducerIdResponseData> initProducerId(InitProducerIdRequestData req, short version) {
        CompletableFuture<InitProducerIdResponseData> f = new CompletableFuture<>();
        ctx.locked(() -> inits.handleInitProducerId(req, version, f));
        return f;
    }

    /**
     * AddPartitionsToTxn: v0-3 one transaction of a client; v4+ a batch of a broker, each transaction verified
     * ({@code verifyOnly}) or added on its own. Nonexistent partitions get UNKNOWN_TOPIC_OR_PARTITION and the others
     * of their transaction OPERATION_NOT_ATTEMPTED; the other errors are those of
     * {@link AddPartitionsHandler#handleAddPartitions} and {@link AddPartitionsHandler#handleVerify}, with
     * PRODUCER_FENCED answered as INVALID_PRODUCER_EPOCH below v2.
     */
    public CompletableFuture<AddPartitionsToTxnResponseData> addPartitionsToTxn(AddPartitionsToTxnRequestData req,
                                                                                short version) {
        if (version <= 3) {
            Set<TopicPartition> parts = TxnResponses.partitions(req.v3AndBelowTopics());
            return addOne(req.v3AndBelowTransactionalId(), req.v3AndBelowProducerId(), req.v3AndBelowProducerEpoch(),
                parts, version).thenApply(errors -> new AddPartitionsToTxnResponseData()
                .setResultsByTopicV3AndBelow(TxnResponses.topicResults(errors)));
        }
        List<CompletableFuture<AddPartitionsToTxnResponseData.AddPartitionsToTxnResult>> results = new ArrayList<>();
        for (AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction t : req.transactions()) {
            Set<TopicPartition> parts = TxnResponses.partitions(t.topics());
            CompletableFuture<Map<TopicPartition, Errors>> errors = t.verifyOnly()
                ? verifyPartitions(t.transactionalId(), t.producerId(), t.producerEpoch(), parts)
                : addOne(t.transactionalId(), t.producerId(), t.producerEpoch(), parts, version);
            results.add(errors.thenApply(e -> new AddPartitionsToTxnResponseData.AddPartitionsToTxnResult()
                .setTransactionalId(t.transactionalId()).setTopicResults(TxnResponses.topicResults(e))));
        }
        return CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            AddPartitionsToTxnResponseData out = new AddPartitionsToTxnResponseData();
            results.forEach(r -> out.resultsByTransaction().add(r.join()));
            return out;
        });
    }

    private CompletableFuture<Map<TopicPartition, Errors>> addOne(String id, long producerId, short epoch,
                                                                  Set<TopicPartition> parts, short version) {
        CompletableFuture<Map<TopicPartition, Errors>> f = new CompletableFuture<>();
        ctx.locked(() -> {
            Set<TopicPartition> unknown = adds.unknownPartitions(parts);
            if (!unknown.isEmpty()) {
                ctx.complete(f, AddPartitionsHandler.unknownErrors(parts, unknown));
                return;
            }
            adds.handleAddPartitions(id, producerId, epoch, parts,
                error -> ctx.complete(f, AddPartitionsHandler.same(parts, TxnResponses.fenced(error, version, 2))));
        });
        return f;
    }

    /** What a partition leader asks before appending a transactional batch; see {@link AddPartitionsHandler}. */
    public CompletableFuture<Map<TopicPartition, Errors>> verifyPartitions(String transactionalId, long producerId,
                                                                           short producerEpoch,
                                                                           Set<TopicPartition> partitions) {
        CompletableFuture<Map<TopicPartition, Errors>> f = new CompletableFuture<>();
        Set<TopicPartition> parts = new HashSet<>(partitions);
        ctx.locked(() -> ctx.complete(f, adds.handleVerify(transactionalId, producerId, producerEpoch, parts)));
        return f;
    }

    /**
     * AddOffsetsToTxn: adds the group's {@code __consumer_offsets} partition to the transaction, with the errors of
     * {@link AddPartitionsHandler#handleAddPartitions} (PRODUCER_FENCED as INVALID_PRODUCER_EPOCH below v2).
     */
    public CompletableFuture<AddOffsetsToTxnResponseData> addOffsetsToTxn(AddOffsetsToTxnRequestData req,
                                                                          short version) {
        CompletableFuture<AddOffsetsToTxnResponseData> f = new CompletableFuture<>();
        ctx.locked(() -> adds.handleAddPartitions(req.transactionalId(), req.producerId(), req.producerEpoch(),
            Set.of(adds.offsetsPartition(req.groupId())), error -> ctx.complete(f,
                new AddOffsetsToTxnResponseData().setErrorCode(TxnResponses.fenced(error, version, 2).code()))));
        return f;
    }

    /** EndTxn; see {@link EndTxnHandler#handleEndTxn} (PRODUCER_FENCED as INVALID_PRODUCER_EPOCH below v2). */
    public CompletableFuture<EndTxnResponseData> endTxn(EndTxnRequestData req, short version) {
        CompletableFuture<EndTxnResponseData> f = new CompletableFuture<>();
        ctx.locked(() -> ends.handleEndTxn(req.transactionalId(), req.producerId(), req.producerEpoch(),
            req.committed(), error -> ctx.complete(f, new EndTxnResponseData()
                .setErrorCode(TxnResponses.fenced(error, version, 2).code())
                .setProducerId(req.producerId()).setProducerEpoch(req.producerEpoch()))));
        return f;
    }

    /** DescribeTransactions; see {@link TxnAdminHandler#handleDescribe}. */
    public DescribeTransactionsResponseData describeTransactions(DescribeTransactionsRequestData req) {
        DescribeTransactionsResponseData out = new DescribeTransactionsResponseData();
        ctx.locked(() -> req.transactionalIds().forEach(id -> out.transactionStates().add(admin.handleDescribe(id))));
        return out;
    }

    /** ListTransactions over the loaded partitions; see {@link TxnAdminHandler#handleList}. */
    public ListTransactionsResponseData listTransactions(ListTransactionsRequestData req, short version) {
        ListTransactionsResponseData[] out = new ListTransactionsResponseData[1];
        ctx.locked(() -> out[0] = admin.handleList(req, version));
        return out[0];
    }

    /**
     * Aborts the Ongoing transactions past their timeout, bumping their epoch first, and expires transactional ids
     * idle longer than {@code transactional.id.expiration.ms}. The broker calls it every
     * {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}.
     */
    public void abortTimedOutTransactions() {
        ctx.locked(expirer::sweep);
    }
}
