package io.spool.coordinator.txn;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic sweep: aborts Ongoing transactions past their timeout (bumping the epoch so the zombie producer is
 * fenced) and expires transactional ids idle for {@code transactional.id.expiration.ms} (a tombstone). Ids with a
 * write in flight are left for the next sweep. Runs under the coordinator's lock.
 */
final class TxnExpirer {

    private static final Logger LOG = LoggerFactory.getLogger(TxnExpirer.class);

    private final TxnContext ctx;
    private final TxnCompleter completer;

    TxnExpirer(TxnContext ctx, TxnCompleter completer) {
        this.ctx = ctx;
        this.completer = completer;
    }

    void sweep() {
        long now = ctx.now();
        for (TxnShard shard : ctx.shards.values()) {
            if (shard.loading) {
                continue;
            }
            List<TxnMetadata> candidates = new ArrayList<>(shard.txns.values());
            for (TxnMetadata m : candidates) {
                if (shard.pending.contains(m.transactionalId())) {
                    continue;
                }
                if (m.state() == TxnState.ONGOING && m.txnStartTimestamp() + m.timeoutMs() < now) {
                    abortTimedOut(shard, m);
                } else if (m.state().isIdle()
                    && m.lastUpdateTimestamp() <= now - ctx.config.transactionalIdExpirationMs()) {
                    expire(shard, m);
                }
            }
        }
    }

    private void abortTimedOut(TxnShard shard, TxnMetadata m) {
        if (m.producerEpoch() == Short.MAX_VALUE) {
            LOG.warn("cannot abort timed-out transaction of {}: its epoch is exhausted", m.transactionalId());
            return;
        }
        completer.abortWithBump(shard, m, error -> {
            if (error != Errors.NONE) {
                LOG.info("aborting timed-out transaction of {} failed with {}; the next sweep retries",
                    m.transactionalId(), error);
            }
        });
    }

    private void expire(TxnShard shard, TxnMetadata m) {
        String id = m.transactionalId();
        ctx.write(shard, id, null, error -> {
            if (error != Errors.NONE) {
                LOG.info("expiring transactional id {} failed with {}; the next sweep retries", id, error);
            }
        });
    }
}
