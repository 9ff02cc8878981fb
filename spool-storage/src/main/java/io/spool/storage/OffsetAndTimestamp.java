package io.spool.storage;

/** An offset with the timestamp of its record and the leader epoch of its batch (ListOffsets answers). */
public record OffsetAndTimestamp(long offset, long timestamp, int leaderEpoch) {
}
