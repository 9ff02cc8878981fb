package io.spool.broker.fetch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The incremental fetch sessions of a broker, bounded in number; when full, the least recently used session is
 * evicted and its client falls back to a full fetch after FETCH_SESSION_ID_NOT_FOUND. Thread-safe.
 */
final class FetchSessionCache {
    private final int maxSessions;
    private final LinkedHashMap<Integer, FetchSession> sessions = new LinkedHashMap<>(16, 0.75f, true);

    FetchSessionCache(int maxSessions) {
        this.maxSessions = maxSessions;
    }

    synchronized FetchSession create(long nowMs) {
        if (maxSessions <= 0) {
            return null;
        }
        if (sessions.size() >= maxSessions) {
            Map.Entry<Integer, FetchSession> eldest = sessions.entrySet().iterator().next();
            sessions.remove(eldest.getKey());
        }
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        FetchSession session = new FetchSession(id, nowMs);
        sessions.put(id, session);
        return session;
    }

    synchronized FetchSession get(int id) {
        return sessions.get(id);
    }

    synchronized void remove(int id) {
        sessions.remove(id);
    }

    synchronized int size() {
        return sessions.size();
    }
}
