package io.spool.metadata;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The registered brokers by id, iterated in id order, each with its epoch and whether it is fenced. A broker is
 * fenced from its registration until it is unfenced (its first heartbeat once it has caught up), and again when its
 * session expires or it shuts down. Immutable.
 */
public final class ClusterImage {
    public static final ClusterImage EMPTY = new ClusterImage(Map.of());

    private final Map<Integer, BrokerRegistration> registrations;
    private final Map<Integer, RegisterBrokerRecord> brokers;
    private final SortedSet<Integer> unfenced;

    ClusterImage(Map<Integer, BrokerRegistration> registrations) {
        this.registrations = Collections.unmodifiableMap(new TreeMap<>(registrations));
        Map<Integer, RegisterBrokerRecord> records = new TreeMap<>();
        TreeSet<Integer> unfencedIds = new TreeSet<>();
        this.registrations.forEach((id, registration) -> {
            records.put(id, registration.record());
            if (!registration.fenced()) {
                unfencedIds.add(id);
            }
        });
        this.brokers = Collections.unmodifiableMap(records);
        this.unfenced = Collections.unmodifiableSortedSet(unfencedIds);
    }

    /** Every registered broker's latest registration, fenced or not, by id. */
    public Map<Integer, RegisterBrokerRecord> brokers() {
        return brokers;
    }

    /** Every registered broker, fenced or not, by id. */
    public Map<Integer, BrokerRegistration> registrations() {
        return registrations;
    }

    public Optional<BrokerRegistration> registration(int brokerId) {
        return Optional.ofNullable(registrations.get(brokerId));
    }

    /** Ids of the registered brokers that are not fenced, in ascending order. */
    public SortedSet<Integer> unfencedBrokerIds() {
        return unfenced;
    }

    /** Whether the broker is fenced; a broker that is not registered counts as fenced. */
    public boolean isFenced(int brokerId) {
        return !unfenced.contains(brokerId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterImage other && registrations.equals(other.registrations);
    }

    @Override
    public int hashCode() {
        return registrations.hashCode();
    }

    @Override
    public String toString() {
        return "ClusterImage(brokers=" + brokers.keySet() + ", unfenced=" + unfenced + ")";
    }
}
