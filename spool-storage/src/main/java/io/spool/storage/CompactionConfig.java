package io.spool.storage;

/**
 * A compacted topic's cleaner settings, resolved by the broker from topic and broker configs. Immutable.
 *
 * @param deleteRetentionMs      {@code delete.retention.ms}: how long a tombstone stays readable once cleaned
 * @param minCompactionLagMs     {@code min.compaction.lag.ms}: records younger than this are never compacted
 * @param maxCompactionLagMs     {@code max.compaction.lag.ms}: a dirty record older than this forces a cleaning
 * @param minCleanableDirtyRatio {@code min.cleanable.dirty.ratio}: dirty share of the log that triggers a cleaning
 */
public record CompactionConfig(long deleteRetentionMs, long minCompactionLagMs, long maxCompactionLagMs,
                               double minCleanableDirtyRatio) {

    public CompactionConfig {
        if (deleteRetentionMs < 0 || minCompactionLagMs < 0 || maxCompactionLagMs < 1) {
            throw new IllegalArgumentException("negative lag or retention in " + this);
        }
        if (!(minCleanableDirtyRatio >= 0 && minCleanableDirtyRatio <= 1)) {
            throw new IllegalArgumentException("min.cleanable.dirty.ratio must be in [0, 1]: "
                + minCleanableDirtyRatio);
        }
    }

    /** Apache Kafka's defaults. */
    public static CompactionConfig defaults() {
        return new CompactionConfig(24 * 3600_000L, 0L, Long.MAX_VALUE, 0.5);
    }
}
