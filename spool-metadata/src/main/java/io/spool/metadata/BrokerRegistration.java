package io.spool.metadata;

import java.util.List;
import java.util.Objects;

/**
 * A registered broker as of an image: its latest registration, the broker epoch the controller assigned to it
 * (the registration's {@code incarnation}) and whether it is fenced. A broker is fenced from its registration until
 * an {@link UnfenceBrokerRecord} of the same epoch. Immutable.
 */
public record BrokerRegistration(RegisterBrokerRecord record, long epoch, boolean fenced) {

    public BrokerRegistration {
        Objects.requireNonNull(record, "record");
        if (epoch != record.incarnation()) {
            throw new IllegalArgumentException("Epoch " + epoch + " is not the registration's " + record);
        }
    }

    /** A new registration, fenced until it is unfenced. */
    static BrokerRegistration registered(RegisterBrokerRecord record) {
        return new BrokerRegistration(record, record.incarnation(), true);
    }

    BrokerRegistration withFenced(boolean newFenced) {
        return new BrokerRegistration(record, epoch, newFenced);
    }

    public int brokerId() {
        return record.brokerId();
    }

    /** The broker's rack, or null if it did not name one. */
    public String rack() {
        return record.rack();
    }

    public List<Endpoint> endpoints() {
        return record.endpoints();
    }
}
