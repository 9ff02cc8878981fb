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

        void addBatch(short batchEpoch, BatchMetadata batch) {
            if (batchEpoch != epoch) {
                batches.clear();
                epoch = batchEpoch;
            }
            batches.addLast(batch);
            while (batches.size() > NUM_BATCHES_TO_RETAIN) {
                batches.removeFirst();
            }
            lastTimestamp = Math.max(lastTimestamp, batch.timestamp());
        }
    }

    /** Verdict on one batch: NONE to append, a duplicate to answer with, or an error. */
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
