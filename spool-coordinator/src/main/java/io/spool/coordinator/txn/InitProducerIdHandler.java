package io.spool.coordinator.txn;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;

/** InitProducerId for a transactional id (transaction version 1). Runs under the coordinator's lock. */
final class InitProducerIdHandler {

    private final TxnContext ctx;
    private final TxnCompleter completer;

    InitProducerIdHandler(TxnContext ctx, TxnCompleter completer) {
        this.ctx = ctx;
        this.completer = completer;
    }

    /**
     * Gives the transactional id a producer id and epoch: epoch 0 of a new producer id for a new id, else the epoch
     * bumped (a new producer id at epoch 0 when the epoch is exhausted).
     *
     * <p>Errors: INVALID_REQUEST (empty transactional id); INVALID_TRANSACTION_TIMEOUT (timeout not in
     * 1..transaction.max.timeout.ms); NOT_COORDINATOR; COORDINATOR_LOAD_IN_PROGRESS; CONCURRENT_TRANSACTIONS (a
     * write is in flight, the transaction is completing, or an Ongoing transaction was just aborted for this
     * request: the client retries); PRODUCER_FENCED (v3+: the
     * expected producer id/epoch is neither the current nor the previous answer; INVALID_PRODUCER_EPOCH below v4);
     * COORDINATOR_NOT_AVAILABLE / NOT_COORDINATOR / UNKNOWN_SERVER_ERROR when the write fails; the producer id
     * source's error when it fails.
     */
    void handleInitProducerId(InitProducerIdRequestData req, short version,
                              CompletableFuture<InitProducerIdResponseData> f) {
        String id = req.transactionalId();
        if (id.isEmpty()) {
            answer(f, version, Errors.INVALID_REQUEST, null);
            return;
        }
        if (req.transactionTimeoutMs() <= 0 || req.transactionTimeoutMs() > ctx.config.maxTimeoutMs()) {
            answer(f, version, Errors.INVALID_TRANSACTION_TIMEOUT, null);
            return;
        }
        Errors[] error = {Errors.NONE};
        TxnShard shard = ctx.route(id, error);
        if (shard == null) {
            answer(f, version, error[0], null);
            return;
        }
        if (shard.pending.contains(id)) {
            answer(f, version, Errors.CONCURRENT_TRANSACTIONS, null);
            return;
        }
        TxnMetadata meta = shard.txns.get(id);
        int timeout = req.transactionTimeoutMs();
        if (meta == null) {
            long now = ctx.now();
            allocateThenWrite(shard, id, f, version, pid -> new TxnMetadata(id, pid, TxnMetadata.NO_PRODUCER_ID,
                (short) 0, TxnMetadata.NO_EPOCH, timeout, TxnState.EMPTY, Set.of(), -1L, now));
            return;
        }
        handleExisting(shard, meta, req, version, f);
    }

    private void handleExisting(TxnShard shard, TxnMetadata meta, InitProducerIdRequestData req, short version,
                                CompletableFuture<InitProducerIdResponseData> f) {
        boolean checked = version >= 3 && req.producerId() != TxnMetadata.NO_PRODUCER_ID;
        boolean current = req.producerId() == meta.producerId() && req.producerEpoch() == meta.producerEpoch();
        boolean retry = checked && !current && isRetry(meta, req.producerId(), req.producerEpoch());
        if (checked && !current && !retry) {
            answer(f, version, Errors.PRODUCER_FENCED, null);
            return;
        }
        if (meta.state() == TxnState.ONGOING) {
            completer.abortWithBump(shard, meta, error -> answer(f, version,
                error == Errors.NONE ? Errors.CONCURRENT_TRANSACTIONS : error, null));
            return;
        }
        if (!meta.state().isIdle()) {
            answer(f, version, Errors.CONCURRENT_TRANSACTIONS, null);
            return;
        }
        if (retry) {
            answer(f, version, Errors.NONE, meta);
            return;
        }
        bump(shard, meta, req.transactionTimeoutMs(), version, f);
    }

    /** KIP-360: the expected pair is the one answered before the current one, so the answer is the current one. */
    private static boolean isRetry(TxnMetadata meta, long producerId, short epoch) {
        return meta.lastProducerEpoch() != TxnMetadata.NO_EPOCH && epoch == meta.lastProducerEpoch()
            && (producerId == meta.lastProducerId() || producerId == meta.producerId());
    }

    private void bump(TxnShard shard, TxnMetadata meta, int timeout, short version,
                      CompletableFuture<InitProducerIdResponseData> f) {
        String id = meta.transactionalId();
        long now = ctx.now();
        if (meta.isEpochExhausted()) {
            allocateThenWrite(shard, id, f, version, pid -> meta
                .withProducer(pid, (short) 0, meta.producerId(), meta.producerEpoch(), timeout)
                .transitTo(TxnState.EMPTY, Set.of(), -1L, now));
            return;
        }
        TxnMetadata next = meta.withProducer(meta.producerId(), (short) (meta.producerEpoch() + 1),
            meta.producerId(), meta.producerEpoch(), timeout)
            .transitTo(TxnState.EMPTY, Set.of(), -1L, now);
        ctx.write(shard, id, next, error -> answer(f, version, error, next));
    }

    /** Takes a new producer id (outside the lock, with the id pending), then writes what {@code build} makes. */
    private void allocateThenWrite(TxnShard shard, String id, CompletableFuture<InitProducerIdResponseData> f,
                                   short version, LongFunction<TxnMetadata> build) {
        shard.pending.add(id);
        ctx.later(() -> {
            CompletableFuture<Long> pid;
            try {
                pid = ctx.producerIds.nextProducerId();
            } catch (RuntimeException e) {
                pid = CompletableFuture.failedFuture(e);
            }
            pid.whenComplete((p, t) -> ctx.locked(() -> {
                shard.pending.remove(id);
                if (!ctx.isCurrent(shard)) {
                    answer(f, version, Errors.NOT_COORDINATOR, null);
                } else if (t != null) {
                    answer(f, version, Errors.forException(TxnContext.unwrap(t)), null);
                } else {
                    TxnMetadata next = build.apply(p);
                    ctx.write(shard, id, next, error -> answer(f, version, error, next));
                }
            }));
        });
    }

    private void answer(CompletableFuture<InitProducerIdResponseData> f, short version, Errors error,
                        TxnMetadata meta) {
        Errors e = error == Errors.PRODUCER_FENCED && version < 4 ? Errors.INVALID_PRODUCER_EPOCH : error;
        InitProducerIdResponseData r = new InitProducerIdResponseData().setErrorCode(e.code())
            .setProducerId(TxnMetadata.NO_PRODUCER_ID).setProducerEpoch(TxnMetadata.NO_EPOCH);
        if (e == Errors.NONE) {
            r.setProducerId(meta.producerId()).setProducerEpoch(meta.producerEpoch());
        }
        ctx.complete(f, r);
    }
}
