package io.spool.coordinator;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record of {@code __consumer_offsets}: the key decides compaction, a null value is a tombstone. Both are in the
 * format of {@link CoordinatorRecordSerde}. Immutable by convention: neither array is modified after construction.
 */
public record CoordinatorRecord(byte[] key, byte[] value) {

    public CoordinatorRecord {
        Objects.requireNonNull(key, "key");
    }

    public boolean isTombstone() {
        return value == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CoordinatorRecord other && Arrays.equals(key, other.key)
            && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "CoordinatorRecord[key=" + key.length + "B, value=" + (value == null ? "tombstone" : value.length + "B")
            + "]";
    }
}
