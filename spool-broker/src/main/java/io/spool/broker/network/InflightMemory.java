package io.spool.broker.network;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of requests read but not yet answered, across all connections ({@code queued.max.request.bytes}). When the
 * limit is passed, connections stop reading until memory is released; a request already read is always served.
 * Thread-safe.
 */
final class InflightMemory {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    InflightMemory(long limit) {
        this.limit = limit;
    }

    void acquire(int bytes) {
        used.addAndGet(bytes);
    }

    void release(int bytes) {
        used.addAndGet(-bytes);
    }

    boolean isExhausted() {
        return limit > 0 && used.get() >= limit;
    }
}
