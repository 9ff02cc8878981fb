package io.spool.broker.replica;

import java.util.function.LongSupplier;

/**
 * A replication byte rate limit (KIP-73's {@code leader.replication.throttled.rate} or
 * {@code follower.replication.throttled.rate}) as a token bucket: credit accrues at the rate, up to one second's
 * worth; bytes already sent are recorded afterwards and may take the credit below zero, and the quota is exceeded
 * while the credit is negative. So a throttled replica is served at most about one fetch past the limit, then waits
 * until the rate has paid for it, and the long-run rate stays at the limit. {@link Long#MAX_VALUE} turns it off.
 * Thread-safe: the fetch path of every connection and the fetcher threads share one instance.
 */
public final class ReplicationQuota {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final LongSupplier nanoClock;
    private long bytesPerSecond = Long.MAX_VALUE;
    /** Bytes that may still be sent before the quota is exceeded; negative while exceeded. */
    private double credit;
    private long lastRefillNanos;

    public ReplicationQuota(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.lastRefillNanos = nanoClock.getAsLong();
    }

    /** Sets the limit; {@link Long#MAX_VALUE} (the default) for none. The credit starts again at one second's. */
    public synchronized void updateRate(long newBytesPerSecond) {
        if (newBytesPerSecond != bytesPerSecond) {
            bytesPerSecond = newBytesPerSecond;
            credit = newBytesPerSecond;
            lastRefillNanos = nanoClock.getAsLong();
        }
    }

    public synchronized long rate() {
        return bytesPerSecond;
    }

    /** Whether replicas under this quota must wait: a limit is set and the bytes recorded are ahead of it. */
    public synchronized boolean isExceeded() {
        if (bytesPerSecond == Long.MAX_VALUE) {
            return false;
        }
        refill();
        return credit < 0;
    }

    /** Counts bytes sent (leader) or received (follower) for throttled replicas. */
    public synchronized void record(long bytes) {
        if (bytesPerSecond == Long.MAX_VALUE) {
            return;
        }
        refill();
        credit -= bytes;
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        long elapsed = now - lastRefillNanos;
        if (elapsed > 0) {
            credit = Math.min(bytesPerSecond, credit + (double) bytesPerSecond * elapsed / NANOS_PER_SECOND);
            lastRefillNanos = now;
        }
    }
}
