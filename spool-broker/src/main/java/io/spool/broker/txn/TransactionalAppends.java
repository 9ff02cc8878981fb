package io.spool.broker.txn;

import io.spool.broker.replica.Partition;
import io.spool.storage.AppendResult;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;

/**
 * The leader's side of KIP-890 verification for Produce: a transactional write that would open a transaction on a
 * partition is appended only once {@link TxnVerifier} says the partition is in the producer's ongoing transaction.
 * Later writes of a transaction already open on the partition are appended at once.
 *
 * <p>Order: a producer pipelines its requests, and each must be appended in the order it arrived. While a
 * verification for (partition, producer) is pending, later writes of that producer to that partition queue behind
 * it instead of being verified and appended out of order. Thread-safe.
 */
public final class TransactionalAppends {
    private record Key(TopicPartition partition, long producerId) {
    }

    private final TxnVerifier verifier;
    private final Map<Key, CompletableFuture<AppendResult>> queued = new ConcurrentHashMap<>();

    public TransactionalAppends(TxnVerifier verifier) {
        this.verifier = verifier;
    }

    /** Whether the first batch is transactional (Kafka's clients never mix, and the log checks the rest). */
    public static boolean isTransactional(MemoryRecords records) {
        MutableRecordBatch first = firstBatch(records);
        return first != null && first.isTransactional();
    }

    /** Runs {@code append} now, or after a verification, or after the queued writes of the same producer. */
    public CompletableFuture<AppendResult> append(String transactionalId, Partition partition, MemoryRecords records,
            Supplier<CompletableFuture<AppendResult>> append) {
        MutableRecordBatch first = firstBatch(records);
        if (transactionalId == null || first == null || !first.isTransactional()) {
            return append.get();
        }
        Key key = new Key(partition.topicPartition(), first.producerId());
        // Only the queue's bookkeeping happens inside compute; the appends and verifications run after it.
        CompletableFuture<AppendResult> mine = new CompletableFuture<>();
        AtomicReference<CompletableFuture<AppendResult>> before = new AtomicReference<>();
        boolean queuedUp = queued.compute(key, (k, previous) -> {
            if (previous == null && partition.log().hasOngoingTransaction(k.producerId())) {
                return null;
            }
            before.set(previous);
            return mine;
        }) == mine;
        if (!queuedUp) {
            return append.get();
        }
        CompletableFuture<?> prior = before.get() == null ? CompletableFuture.completedFuture(null) : before.get();
        prior.handle((r, e) -> null)
                .thenCompose(ignored -> verifiedAppend(transactionalId, partition, first, append))
                .whenComplete((r, e) -> {
                    queued.remove(key, mine);
                    if (e != null) {
                        mine.completeExceptionally(e);
                    } else {
                        mine.complete(r);
                    }
                });
        return mine;
    }

    private CompletableFuture<AppendResult> verifiedAppend(String transactionalId, Partition partition,
            MutableRecordBatch first, Supplier<CompletableFuture<AppendResult>> append) {
        if (partition.log().hasOngoingTransaction(first.producerId())) {
            return append.get();
        }
        return verifier.verify(transactionalId, first.producerId(), first.producerEpoch(), partition.topicPartition())
                .thenCompose(error -> error == Errors.NONE ? append.get()
                        : CompletableFuture.completedFuture(AppendResult.failure(error,
                                "Partition " + partition.topicPartition() + " is not in the ongoing transaction of "
                                        + transactionalId + " (producer " + first.producerId() + ", epoch "
                                        + first.producerEpoch() + ")", partition.log().logStartOffset())));
    }

    private static MutableRecordBatch firstBatch(MemoryRecords records) {
        for (MutableRecordBatch batch : records.batches()) {
            return batch;
        }
        return null;
    }
}
