package io.spool.storage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Idempotent and transactional producer state of one partition: for each producer id its epoch, the metadata of
 * its last {@value #NUM_BATCHES_TO_RETAIN} batches (duplicates and sequence gaps), the first offset of its ongoing
 * transaction and the coordinator epoch of its last marker. Also the offsets that keep the last stable offset down:
 * the first offset of every ongoing transaction, and of every completed one whose marker is not yet below the high
 * watermark (sorted maps, so the first unstable offset is one lookup). Persisted by
 * {@link ProducerSnapshotFile} at roll and close; rebuilt after a crash from the latest snapshot plus the batches
 * after it.
 *
 * <p>Thread safety: only used under the owning {@link PartitionLog}'s append lock.
 */
final class ProducerStateManager {

    static final int NUM_BATCHES_TO_RETAIN = 5;

    /** Where one appended batch landed. */
    record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {
    }

    /** One producer's state. Mutable, owned by the manager. */
    static final class ProducerEntry {
        final long producerId;
        short epoch;
        long lastTimestamp;
        /** First offset of the ongoing transaction, -1 if none. */
        long currentTxnFirstOffset = -1;
        /** Coordinator epoch of the last transaction marker, -1 if none. */
        int coordinatorEpoch = -1;
        final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>();
        /**
         * The first sequence of this epoch this log is known to hold: every sequence from it to {@link #lastSeq()}
         * was appended here in this epoch, contiguously (batches of one epoch are accepted only in sequence). Not
         * in the snapshot: an entry read from one knows only its retained batches.
         */
        private int knownFirstSeq = RecordBatch.NO_SEQUENCE;

        ProducerEntry(long producerId, short epoch, long lastTimestamp) {
            this.producerId = producerId;
            this.epoch = epoch;
            this.lastTimestamp = lastTimestamp;
        }

        int lastSeq() {
            return batches.isEmpty() ? RecordBatch.NO_SEQUENCE : batches.peekLast().lastSeq();
        }

        BatchMetadata findDuplicate(short batchEpoch, int firstSeq, int lastSeq) {
            if (batchEpoch != epoch) {
                return null;
            }
            for (BatchMetadata b : batches) {
                if (b.firstSeq() == firstSeq && b.lastSeq() == lastSeq) {
                    return b;
                }
            }
            return null;
        }

        /** The first sequence of this epoch known to be here (see {@link #knownFirstSeq}). */
        int knownFirstSeq() {
            if (knownFirstSeq != RecordBatch.NO_SEQUENCE) {
                return knownFirstSeq;
            }
            return batches.isEmpty() ? RecordBatch.NO_SEQUENCE : batches.peekFirst().firstSeq();
        }

        /** A new epoch forgets the batches of the old one (their sequences no longer apply). */
        void maybeUpdateEpoch(short newEpoch) {
            if (newEpoch != epoch) {
                batches.clear();
                epoch = newEpoch;
                knownFirstSeq = RecordBatch.NO_SEQUENCE;
            }
        }

        void addBatch(short batchEpoch, BatchMetadata batch) {
            maybeUpdateEpoch(batchEpoch);
            if (batches.isEmpty() && knownFirstSeq == RecordBatch.NO_SEQUENCE) {
                knownFirstSeq = batch.firstSeq();
            }
            batches.addLast(batch);
            while (batches.size() > NUM_BATCHES_TO_RETAIN) {
                batches.removeFirst();
            }
            lastTimestamp = Math.max(lastTimestamp, batch.timestamp());
        }
    }

    /**
     * Verdict on one batch: NONE to append, a duplicate to answer with, or an error. DUPLICATE_SEQUENCE_NUMBER is a
     * duplicate whose offsets are no longer retained.
     */
    record Check(Errors error, String message, BatchMetadata duplicate) {
        static final Check OK = new Check(Errors.NONE, null, null);

        boolean isDuplicate() {
            return duplicate != null;
        }
    }

    /**
     * Epoch, last sequence and whether a transaction is ongoing (1) per producer as seen by the batches of one append
     * validated so far.
     */
    static final class PendingAppend {
        private final Map<Long, long[]> epochAndLastSeq = new HashMap<>();
    }

    private final Map<Long, ProducerEntry> producers = new HashMap<>();
    /** First offset of each ongoing transaction -> its producer id. */
    private final TreeMap<Long, Long> ongoingTxns = new TreeMap<>();
    /** First offset of each completed transaction whose marker is at or above the high watermark -> marker offset. */
    private final TreeMap<Long, Long> unreplicatedTxns = new TreeMap<>();

    Collection<ProducerEntry> entries() {
        return producers.values();
    }

    ProducerEntry entry(long producerId) {
        return producers.get(producerId);
    }

    int producerCount() {
        return producers.size();
    }

    void clear() {
        producers.clear();
        ongoingTxns.clear();
        unreplicatedTxns.clear();
    }

    void put(ProducerEntry entry) {
        producers.put(entry.producerId, entry);
        if (entry.currentTxnFirstOffset >= 0) {
            ongoingTxns.put(entry.currentTxnFirstOffset, entry.producerId);
        }
    }

    /**
     * Checks one idempotent batch against the stored state and the earlier batches of the same append (Kafka's
     * rules): a lower epoch is fenced, a new epoch must start at sequence 0 unless the producer is unknown, the
     * same epoch must continue the sequence, and a batch equal to one of the last five is a duplicate; then a
     * non-transactional batch from a producer with an ongoing transaction is INVALID_TXN_STATE.
     */
    Check check(long producerId, short epoch, int firstSeq, int lastSeq, boolean transactional,
                PendingAppend pending) {
        long[] inFlight = pending.epochAndLastSeq.get(producerId);
        ProducerEntry stored = producers.get(producerId);
        long txn = transactional ? 1 : 0;
        if (inFlight == null && stored == null) {
            pending.epochAndLastSeq.put(producerId, new long[] {epoch, lastSeq, txn});
            return Check.OK;
        }
        short currentEpoch = inFlight != null ? (short) inFlight[0] : stored.epoch;
        int currentLastSeq = inFlight != null ? (int) inFlight[1] : stored.lastSeq();
        if (epoch < currentEpoch) {
            return new Check(Errors.INVALID_PRODUCER_EPOCH, "Epoch of producer " + producerId + " is " + epoch
                + ", which is smaller than the last seen epoch " + currentEpoch, null);
        }
        if (inFlight == null) {
            BatchMetadata duplicate = stored.findDuplicate(epoch, firstSeq, lastSeq);
            if (duplicate != null) {
                return new Check(Errors.NONE, null, duplicate);
            }
            if (isOlderDuplicate(stored, epoch, firstSeq, lastSeq)) {
                return new Check(Errors.DUPLICATE_SEQUENCE_NUMBER, "Batch " + firstSeq + ".." + lastSeq
                    + " of producer " + producerId + " at epoch " + epoch + " is already in the log, before the "
                    + NUM_BATCHES_TO_RETAIN + " batches whose offsets are retained", null);
            }
        }
        if (epoch != currentEpoch) {
            if (firstSeq != 0 && currentEpoch != RecordBatch.NO_PRODUCER_EPOCH) {
                return new Check(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "Invalid sequence number for new epoch of "
                    + "producer " + producerId + " at epoch " + epoch + ": " + firstSeq + " (request epoch), 0 "
                    + "(expected)", null);
            }
        } else if (currentEpoch != RecordBatch.NO_PRODUCER_EPOCH && !inSequence(currentLastSeq, firstSeq)) {
            return new Check(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "Out of order sequence number for producer "
                + producerId + " at epoch " + epoch + ": " + firstSeq + " (incoming seq. number), " + currentLastSeq
                + " (current end sequence number)", null);
        }
        boolean ongoing = inFlight != null ? inFlight[2] == 1 : stored.currentTxnFirstOffset >= 0;
        if (ongoing && !transactional) {
            return new Check(Errors.INVALID_TXN_STATE, "Expected transactional write from producer " + producerId
                + " at epoch " + epoch + ": its transaction is ongoing", null);
        }
        pending.epochAndLastSeq.put(producerId, new long[] {epoch, lastSeq, ongoing ? 1 : txn});
        return Check.OK;
    }

    /**
     * A retried batch older than the retained ones: same epoch, and every sequence of it lies between the first
     * sequence this log is known to hold for the epoch and the last one. Kafka answers OUT_OF_ORDER_SEQUENCE_NUMBER
     * there; but such a retry is normal after a failover (the batch reached the new leader by replication without
     * being acknowledged, and the client went on sending newer batches to the new leader before retrying it), and
     * that answer makes the client fail the batch and bump its epoch, resending its other unresolved batches as new
     * records: duplicates in the log. DUPLICATE_SEQUENCE_NUMBER instead tells the client the batch is written (the
     * Java client completes it, without an offset).
     */
    private static boolean isOlderDuplicate(ProducerEntry stored, short epoch, int firstSeq, int lastSeq) {
        int known = stored.knownFirstSeq();
        int last = stored.lastSeq();
        return epoch == stored.epoch && known != RecordBatch.NO_SEQUENCE && last != RecordBatch.NO_SEQUENCE
            && known <= firstSeq && firstSeq <= lastSeq && lastSeq <= last;
    }

    static boolean inSequence(int lastSeq, int nextSeq) {
        return nextSeq == lastSeq + 1L || (nextSeq == 0 && lastSeq == Integer.MAX_VALUE);
    }

    /** Records an appended (or replayed) batch. Batches without a producer id are ignored. */
    void update(long producerId, short epoch, int firstSeq, int lastSeq, long firstOffset, long lastOffset,
                long timestamp) {
        update(producerId, epoch, firstSeq, lastSeq, firstOffset, lastOffset, timestamp, false);
    }

    /** Records a data batch; a transactional one from a producer without an ongoing transaction starts one. */
    void update(long producerId, short epoch, int firstSeq, int lastSeq, long firstOffset, long lastOffset,
                long timestamp, boolean transactional) {
        if (producerId == RecordBatch.NO_PRODUCER_ID) {
            return;
        }
        ProducerEntry entry = producers.computeIfAbsent(producerId, id -> new ProducerEntry(id, epoch, timestamp));
        entry.addBatch(epoch, new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset, timestamp));
        if (transactional && entry.currentTxnFirstOffset < 0) {
            entry.currentTxnFirstOffset = firstOffset;
            ongoingTxns.put(firstOffset, producerId);
        }
    }

    /** Records a data batch read back from the log (control batches go to {@link #completeTxn}). */
    void update(BatchHeader header) {
        update(header.producerId(), header.producerEpoch(), header.baseSequence(), header.lastSequence(),
            header.baseOffset(), header.lastOffset(), header.maxTimestamp(), header.isTransactional());
    }

    /**
     * Checks a transaction marker (Kafka's rules for markers): an epoch below the stored one is
     * INVALID_PRODUCER_EPOCH (equal or higher is accepted), a coordinator epoch below the stored one is
     * TRANSACTION_COORDINATOR_FENCED. An unknown producer passes.
     */
    Check checkMarker(long producerId, short epoch, int coordinatorEpoch) {
        ProducerEntry stored = producers.get(producerId);
        if (stored == null) {
            return Check.OK;
        }
        if (epoch < stored.epoch) {
            return new Check(Errors.INVALID_PRODUCER_EPOCH, "Epoch of producer " + producerId + " in the "
                + "transaction marker is " + epoch + ", which is smaller than the last seen epoch " + stored.epoch,
                null);
        }
        if (coordinatorEpoch < stored.coordinatorEpoch) {
            return new Check(Errors.TRANSACTION_COORDINATOR_FENCED, "Invalid coordinator epoch for producer "
                + producerId + ": " + coordinatorEpoch + " (zombie), " + stored.coordinatorEpoch + " (current)", null);
        }
        return Check.OK;
    }

    /**
     * Records a transaction marker at {@code markerOffset}: ends the producer's ongoing transaction, if any. Returns
     * the aborted-index entry for an abort of a transaction that had data, else null.
     */
    TransactionIndex.Entry completeTxn(long producerId, short epoch, int coordinatorEpoch, boolean commit,
                                       long markerOffset, long timestamp) {
        ProducerEntry entry = producers.computeIfAbsent(producerId, id -> new ProducerEntry(id, epoch, timestamp));
        entry.maybeUpdateEpoch(epoch);
        entry.coordinatorEpoch = coordinatorEpoch;
        entry.lastTimestamp = Math.max(entry.lastTimestamp, timestamp);
        long first = entry.currentTxnFirstOffset;
        if (first < 0) {
            return null;
        }
        entry.currentTxnFirstOffset = -1;
        ongoingTxns.remove(first);
        unreplicatedTxns.put(first, markerOffset);
        if (commit) {
            return null;
        }
        Map.Entry<Long, Long> nextOngoing = ongoingTxns.firstEntry();
        long lso = nextOngoing == null ? markerOffset + 1 : Math.min(nextOngoing.getKey(), markerOffset + 1);
        return new TransactionIndex.Entry(producerId, first, markerOffset, lso);
    }

    /** Forgets the completed transactions whose markers are now below the high watermark. */
    void onHighWatermark(long highWatermark) {
        unreplicatedTxns.values().removeIf(marker -> marker < highWatermark);
    }

    /** The first offset of an ongoing transaction or of a completed one not yet replicated; MAX_VALUE if none. */
    long firstUnstableOffset() {
        long ongoing = ongoingTxns.isEmpty() ? Long.MAX_VALUE : ongoingTxns.firstKey();
        long completed = unreplicatedTxns.isEmpty() ? Long.MAX_VALUE : unreplicatedTxns.firstKey();
        return Math.min(ongoing, completed);
    }

    boolean hasOngoingTransaction(long producerId) {
        ProducerEntry e = producers.get(producerId);
        return e != null && e.currentTxnFirstOffset >= 0;
    }

    /** Every producer with state, for DescribeProducers. */
    List<ProducerInfo> activeProducers() {
        List<ProducerInfo> result = new ArrayList<>();
        for (ProducerEntry e : producers.values()) {
            result.add(new ProducerInfo(e.producerId, e.epoch, e.lastSeq(), e.lastTimestamp, e.coordinatorEpoch,
                e.currentTxnFirstOffset));
        }
        return result;
    }

    /**
     * Forgets producers idle longer than {@code expirationMs} (producer.id.expiration.ms), never one with an ongoing
     * transaction (its transaction would then never end in the last stable offset).
     */
    int removeExpired(long nowMs, long expirationMs) {
        int before = producers.size();
        producers.values().removeIf(e -> e.currentTxnFirstOffset < 0 && nowMs - e.lastTimestamp >= expirationMs);
        return before - producers.size();
    }
}
