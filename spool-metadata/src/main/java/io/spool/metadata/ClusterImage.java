package io.spool.metadata;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** The registered brokers by id, iterated in id order. Immutable. */
public final class ClusterImage {
    public static final ClusterImage EMPTY = new ClusterImage(Map.of());

    private final Map<Integer, RegisterBrokerRecord> brokers;

    ClusterImage(Map<Integer, RegisterBrokerRecord> brokers) {
        this.brokers = Collections.unmodifiableMap(new TreeMap<>(brokers));
    }

    public Map<Integer, RegisterBrokerRecord> brokers() {
        return brokers;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterImage other && brokers.equals(other.brokers);
    }

    @Override
    public int hashCode() {
        return brokers.hashCode();
    }

    @Override
    public String toString() {
        return "ClusterImage" + brokers.keySet();
    }
}
