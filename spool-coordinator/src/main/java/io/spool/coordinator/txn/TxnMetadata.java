package io.spool.coordinator.txn;

import java.util.Collections;
import java.util.Comparator;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * What the coordinator knows of one transactional id: an immutable value, replaced as a whole on each durable state
 * change. {@code lastProducerId}/{@code lastProducerEpoch} are what InitProducerId answered before the current pair
 * (KIP-360 retries); -1 when none. {@code txnStartTimestamp} is -1 until a transaction first starts.
 */
public record TxnMetadata(String transactionalId, long producerId, long lastProducerId, short producerEpoch,
                          short lastProducerEpoch, int timeoutMs, TxnState state, Set<TopicPartition> partitions,
                          long txnStartTimestamp, long lastUpdateTimestamp) {

    public static final short NO_EPOCH = -1;
    public static final long NO_PRODUCER_ID = -1L;
    static final Comparator<TopicPartition> ORDER = Comparator.comparing(TopicPartition::topic)
        .thenComparingInt(TopicPartition::partition);

    public TxnMetadata {
        Objects.requireNonNull(transactionalId, "transactionalId");
        Objects.requireNonNull(state, "state");
        TreeSet<TopicPartition> sorted = new TreeSet<>(ORDER);
        sorted.addAll(partitions);
        partitions = Collections.unmodifiableSet(sorted);
    }

    /** The same id in {@code next}, checked against {@link TxnState#validPrevious()}. */
    TxnMetadata transitTo(TxnState next, Set<TopicPartition> nextPartitions, long startTimestamp, long now) {
        if (!next.canFollow(state)) {
            throw new IllegalStateException(transactionalId + ": " + state.kafkaName() + " -> " + next.kafkaName());
        }
        return new TxnMetadata(transactionalId, producerId, lastProducerId, producerEpoch, lastProducerEpoch,
            timeoutMs, next, nextPartitions, startTimestamp, now);
    }

    /** A new producer id/epoch pair, remembering the current one as the last. */
    TxnMetadata withProducer(long newProducerId, short newEpoch, long prevProducerId, short prevEpoch, int timeout) {
        return new TxnMetadata(transactionalId, newProducerId, prevProducerId, newEpoch, prevEpoch, timeout, state,
            partitions, txnStartTimestamp, lastUpdateTimestamp);
    }

    /** Kafka starts a new producer id rather than let the epoch reach Short.MAX_VALUE. */
    boolean isEpochExhausted() {
        return producerEpoch >= Short.MAX_VALUE - 1;
    }
}
