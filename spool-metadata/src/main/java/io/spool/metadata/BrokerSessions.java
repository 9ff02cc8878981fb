package io.spool.metadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The active controller's memory of its brokers' sessions: when each was last heard from, and the metadata offset
 * at which its current registration was committed (it is unfenced only once it has caught up to that offset). This
 * is not in the metadata log: a controller that becomes active starts every broker's session afresh, as a new Kafka
 * controller does, so that no broker is fenced for the silence of a failover.
 *
 * <p>Not thread-safe: owned by the controller thread (operations and their completions, which are ordered).
 */
final class BrokerSessions {
    private final long timeoutMs;
    private final Map<Integer, Long> lastContactMs = new HashMap<>();
    private final Map<Integer, Long> registrationOffsets = new HashMap<>();
    private boolean wasActive;

    BrokerSessions(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    void touch(int brokerId, long nowMs) {
        lastContactMs.put(brokerId, nowMs);
    }

    void registered(int brokerId, long offset) {
        registrationOffsets.put(brokerId, offset);
    }

    /**
     * Whether a broker that has applied the metadata log up to {@code metadataOffset} has seen its own registration.
     * After a failover the registration's offset is unknown and the broker counts as caught up.
     */
    boolean caughtUp(int brokerId, long metadataOffset) {
        Long registeredAt = registrationOffsets.get(brokerId);
        return registeredAt == null || metadataOffset >= registeredAt;
    }

    /**
     * Notes whether this controller is active now; on becoming active, every registered broker counts as just
     * heard from and every remembered registration offset is forgotten (another controller may have written since).
     */
    void onActivity(boolean active, ClusterImage cluster, long nowMs) {
        if (active && !wasActive) {
            lastContactMs.clear();
            registrationOffsets.clear();
            cluster.registrations().keySet().forEach(id -> lastContactMs.put(id, nowMs));
        }
        wasActive = active;
    }

    /**
     * The unfenced brokers not heard from for longer than the session timeout, in id order. An unfenced broker never
     * heard from (unfenced by a record this controller did not write) starts its session now.
     */
    List<Integer> expired(ClusterImage cluster, long nowMs) {
        List<Integer> expired = new ArrayList<>();
        for (int brokerId : cluster.unfencedBrokerIds()) {
            long last = lastContactMs.computeIfAbsent(brokerId, id -> nowMs);
            if (nowMs - last > timeoutMs) {
                expired.add(brokerId);
            }
        }
        return expired;
    }
}
