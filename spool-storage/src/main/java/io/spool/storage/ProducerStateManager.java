package io.spool.storage;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Idempotent-producer state of one partition: for each producer id its epoch and the metadata of its last
 * {@value #NUM_BATCHES_TO_RETAIN} batches, used to detect duplicates and sequence gaps. Persisted by
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

        void addBatch(short batchEpoch, BatchMetadata batch) {
            if (batchEpoch != epoch) {
                batches.clear();
                epoch = batchEpoch;
                knownFirstSeq = RecordBatch.NO_SEQUENCE;
            }
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

    /** Epoch and last sequence per producer as seen by the batches of one append validated so far. */
    static final class PendingAppend {
        private final Map<Long, long[]> epochAndLastSeq = new HashMap<>();
    }

    private final Map<Long, ProducerEntry> producers = new HashMap<>();

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
    }

    void put(ProducerEntry entry) {
        producers.put(entry.producerId, entry);
    }

    /**
     * Checks one idempotent batch against the stored state and the earlier batches of the same append (Kafka's
     * rules): a lower epoch is fenced, a new epoch must start at sequence 0 unless the producer is unknown, the
     * same epoch must continue the sequence, and a batch equal to one of the last five is a duplicate.
     */
    Check check(long producerId, short epoch, int firstSeq, int lastSeq, PendingAppend pending) {
        long[] inFlight = pending.epochAndLastSeq.get(producerId);
        ProducerEntry stored = producers.get(producerId);
        if (inFlight == null && stored == null) {
            pending.epochAndLastSeq.put(producerId, new long[] {epoch, lastSeq});
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
        pending.epochAndLastSeq.put(producerId, new long[] {epoch, lastSeq});
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
        if (producerId == RecordBatch.NO_PRODUCER_ID) {
            return;
        }
        ProducerEntry entry = producers.computeIfAbsent(producerId, id -> new ProducerEntry(id, epoch, timestamp));
        entry.addBatch(epoch, new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset, timestamp));
    }

    void update(BatchHeader header) {
        update(header.producerId(), header.producerEpoch(), header.baseSequence(), header.lastSequence(),
            header.baseOffset(), header.lastOffset(), header.maxTimestamp());
    }

    /** Forgets producers idle longer than {@code expirationMs} (producer.id.expiration.ms). */
    int removeExpired(long nowMs, long expirationMs) {
        int before = producers.size();
        producers.values().removeIf(e -> nowMs - e.lastTimestamp >= expirationMs);
        return before - producers.size();
    }
}
