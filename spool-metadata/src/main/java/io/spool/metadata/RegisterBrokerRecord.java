package io.spool.metadata;

import java.util.List;

/**
 * A broker registered (or re-registered after a restart: a new {@code incarnation}) with its endpoints and rack.
 * {@code clusterId} and {@code rack} may be null.
 */
public record RegisterBrokerRecord(int brokerId, String clusterId, long incarnation, List<Endpoint> endpoints,
        String rack) implements MetadataRecord {

    public RegisterBrokerRecord {
        endpoints = List.copyOf(endpoints);
    }

    /** A registration that does not name the cluster. */
    public RegisterBrokerRecord(int brokerId, long incarnation, List<Endpoint> endpoints, String rack) {
        this(brokerId, null, incarnation, endpoints, rack);
    }
}
