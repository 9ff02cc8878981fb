package io.spool.broker.fetch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An incremental fetch session (KIP-227): the partitions a client fetches, their fetch positions, and what the
 * client was last told of each, so that later responses only carry partitions that changed. Guarded by its own
 * monitor: a client has one fetch in flight per session, but a delayed fetch may finish on another thread.
 */
final class FetchSession {
    /** One partition of the session: where the client reads and what it last saw. */
    static final class Entry {
        final FetchKey key;
        String topicName;
        long fetchOffset;
        int maxBytes;
        int currentLeaderEpoch;
        int lastFetchedEpoch = -1;
        long lastHighWatermark = -1;
        long lastLogStartOffset = -1;
        /** A follower's own log start offset, as its fetch says (-1 from consumers). */
        long replicaLogStartOffset = -1;
        short lastError = -1;

        Entry(FetchKey key) {
            this.key = key;
        }
    }

    private final int id;
    private final LinkedHashMap<FetchKey, Entry> partitions = new LinkedHashMap<>();
    private int nextEpoch = 1;
    private long lastUsedMs;

    FetchSession(int id, long nowMs) {
        this.id = id;
        this.lastUsedMs = nowMs;
    }

    int id() {
        return id;
    }

    synchronized int nextEpoch() {
        return nextEpoch;
    }

    synchronized void advanceEpoch(long nowMs) {
        nextEpoch = nextEpoch == Integer.MAX_VALUE ? 1 : nextEpoch + 1;
        lastUsedMs = nowMs;
    }

    synchronized long lastUsedMs() {
        return lastUsedMs;
    }

    synchronized Entry upsert(FetchKey key) {
        return partitions.computeIfAbsent(key, Entry::new);
    }

    synchronized void remove(FetchKey key) {
        partitions.remove(key);
    }

    synchronized List<Entry> entries() {
        return new ArrayList<>(partitions.values());
    }

    /** Moves partitions that just returned data to the back, so each gets its turn under the response limit. */
    synchronized void rotate(List<FetchKey> served) {
        for (FetchKey key : served) {
            Entry e = partitions.remove(key);
            if (e != null) {
                partitions.put(key, e);
            }
        }
    }

    synchronized int size() {
        return partitions.size();
    }

    synchronized Map<FetchKey, Entry> view() {
        return Map.copyOf(partitions);
    }
}
