package io.spool.coordinator.txn;

import java.util.function.Consumer;
import org.apache.kafka.common.protocol.Errors;

/** EndTxn (transaction version 1). Runs under the coordinator's lock. */
final class EndTxnHandler {

    private final TxnContext ctx;
    private final TxnCompleter completer;

    EndTxnHandler(TxnContext ctx, TxnCompleter completer) {
        this.ctx = ctx;
        this.completer = completer;
    }

    /**
     * Ends the Ongoing transaction of {@code id}: writes PrepareCommit/PrepareAbort, answers NONE once it is durable,
     * then writes the markers and CompleteCommit/CompleteAbort. A retry of a finished EndTxn with the same outcome
     * gets NONE again.
     *
     * <p>Errors: INVALID_REQUEST (empty transactional id); NOT_COORDINATOR; COORDINATOR_LOAD_IN_PROGRESS;
     * INVALID_PRODUCER_ID_MAPPING (unknown id or another
     * producer id); PRODUCER_FENCED (another epoch; the caller maps it to INVALID_PRODUCER_EPOCH below v2);
     * CONCURRENT_TRANSACTIONS (a write in flight, or still completing the same outcome); INVALID_TXN_STATE (Empty,
     * or the opposite outcome was asked for or is under way); the write's error (COORDINATOR_NOT_AVAILABLE,
     * NOT_COORDINATOR, UNKNOWN_SERVER_ERROR).
     */
    void handleEndTxn(String id, long producerId, short producerEpoch, boolean commit, Consumer<Errors> answer) {
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
        Errors check = AddPartitionsHandler.checkProducer(shard, meta, producerId, producerEpoch);
        if (check != Errors.NONE) {
            answer.accept(check);
            return;
        }
        switch (meta.state()) {
            case ONGOING -> completer.prepare(shard, meta, commit, answer);
            case PREPARE_COMMIT -> answer.accept(commit ? Errors.CONCURRENT_TRANSACTIONS : Errors.INVALID_TXN_STATE);
            case PREPARE_ABORT -> answer.accept(commit ? Errors.INVALID_TXN_STATE : Errors.CONCURRENT_TRANSACTIONS);
            case COMPLETE_COMMIT -> answer.accept(commit ? Errors.NONE : Errors.INVALID_TXN_STATE);
            case COMPLETE_ABORT -> answer.accept(commit ? Errors.INVALID_TXN_STATE : Errors.NONE);
            case PREPARE_EPOCH_FENCE -> answer.accept(Errors.PRODUCER_FENCED);
            case EMPTY -> answer.accept(Errors.INVALID_TXN_STATE);
            case DEAD -> answer.accept(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
    }
}
