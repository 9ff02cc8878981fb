package io.spool.coordinator.txn;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a transactional id (Kafka's transaction version 1 graph), with the names Kafka prints in
 * DescribeTransactions and ListTransactions and the byte stored in {@link TxnRecordSerde}.
 *
 * <pre>
 *   Empty, CompleteCommit, CompleteAbort ─► Empty (InitProducerId bump), Ongoing (AddPartitions), Dead (expiry)
 *   Ongoing ─► Ongoing (more partitions), PrepareCommit, PrepareAbort, PrepareEpochFence
 *   PrepareEpochFence ─► PrepareAbort
 *   PrepareCommit ─► CompleteCommit        PrepareAbort ─► CompleteAbort
 * </pre>
 * Spool writes no PrepareEpochFence record: a fencing abort (InitProducerId during a transaction, a timeout) writes
 * PrepareAbort with the bumped epoch directly, and the id stays pending (CONCURRENT_TRANSACTIONS) meanwhile.
 */
public enum TxnState {
    EMPTY(0, "Empty"),
    ONGOING(1, "Ongoing"),
    PREPARE_COMMIT(2, "PrepareCommit"),
    PREPARE_ABORT(3, "PrepareAbort"),
    COMPLETE_COMMIT(4, "CompleteCommit"),
    COMPLETE_ABORT(5, "CompleteAbort"),
    DEAD(6, "Dead"),
    PREPARE_EPOCH_FENCE(7, "PrepareEpochFence");

    private final byte id;
    private final String kafkaName;

    TxnState(int id, String kafkaName) {
        this.id = (byte) id;
        this.kafkaName = kafkaName;
    }

    public byte id() {
        return id;
    }

    public String kafkaName() {
        return kafkaName;
    }

    public boolean isPrepare() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT;
    }

    /** Empty or Complete*: no transaction open, a new one may start or the epoch may be bumped. */
    public boolean isIdle() {
        return this == EMPTY || this == COMPLETE_COMMIT || this == COMPLETE_ABORT;
    }

    /** The states that may precede this one. */
    public Set<TxnState> validPrevious() {
        return switch (this) {
            case EMPTY, DEAD -> EnumSet.of(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
            case ONGOING -> EnumSet.of(ONGOING, EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
            case PREPARE_COMMIT, PREPARE_EPOCH_FENCE -> EnumSet.of(ONGOING);
            case PREPARE_ABORT -> EnumSet.of(ONGOING, PREPARE_EPOCH_FENCE);
            case COMPLETE_COMMIT -> EnumSet.of(PREPARE_COMMIT);
            case COMPLETE_ABORT -> EnumSet.of(PREPARE_ABORT);
        };
    }

    public boolean canFollow(TxnState previous) {
        return validPrevious().contains(previous);
    }

    public static TxnState forId(byte id) {
        for (TxnState s : values()) {
            if (s.id == id) {
                return s;
            }
        }
        return null;
    }

    public static TxnState forKafkaName(String name) {
        for (TxnState s : values()) {
            if (s.kafkaName.equals(name)) {
                return s;
            }
        }
        return null;
    }
}
