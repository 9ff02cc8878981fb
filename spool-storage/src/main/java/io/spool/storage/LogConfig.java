package io.spool.storage;

/**
 * Per-topic log settings, resolved by the broker from topic and broker configs. Immutable.
 *
 * @param segmentBytes               {@code segment.bytes}: roll when the active segment would exceed this size
 * @param segmentMs                  {@code segment.ms}: roll when the active segment's first batch is older than this
 * @param retentionMs                {@code retention.ms}, -1 keeps segments forever
 * @param retentionBytes             {@code retention.bytes}, -1 for no size limit
 * @param maxMessageBytes            {@code max.message.bytes}: largest batch accepted
 * @param indexIntervalBytes         {@code index.interval.bytes}: bytes between two offset index entries
 * @param segmentIndexBytes          {@code segment.index.bytes}: maximum size of an index file
 * @param messageTimestampLogAppendTime {@code message.timestamp.type=LogAppendTime}
 * @param timestampBeforeMaxMs       {@code message.timestamp.before.max.ms}
 * @param timestampAfterMaxMs        {@code message.timestamp.after.max.ms}
 * @param flushOnAck                 acknowledge produce requests only once fsynced (Spool's durability mode)
 * @param compact                    {@code cleanup.policy=compact}
 * @param fileDeleteDelayMs          {@code file.delete.delay.ms}: how long a deleted segment stays readable
 * @param compaction                 the log cleaner's settings, used when {@code compact} is set
 * @param compression                {@code compression.type} with its codec's level
 */
public record LogConfig(int segmentBytes, long segmentMs, long retentionMs, long retentionBytes,
                        int maxMessageBytes, int indexIntervalBytes, int segmentIndexBytes,
                        boolean messageTimestampLogAppendTime, long timestampBeforeMaxMs, long timestampAfterMaxMs,
                        boolean flushOnAck, boolean compact, long fileDeleteDelayMs,
                        CompactionConfig compaction, TargetCompression compression) {

    public LogConfig {
        if (segmentBytes < 14) {
            throw new IllegalArgumentException("segmentBytes must be at least 14: " + segmentBytes);
        }
        if (segmentMs <= 0) {
            throw new IllegalArgumentException("segmentMs must be positive: " + segmentMs);
        }
        if (segmentIndexBytes < 24) {
            throw new IllegalArgumentException("segmentIndexBytes must be at least 24: " + segmentIndexBytes);
        }
        if (indexIntervalBytes < 0 || maxMessageBytes < 0 || fileDeleteDelayMs < 0) {
            throw new IllegalArgumentException("negative size or delay in " + this);
        }
        java.util.Objects.requireNonNull(compaction, "compaction");
        java.util.Objects.requireNonNull(compression, "compression");
    }

    /** Apache Kafka's defaults. */
    public static LogConfig defaults() {
        return new LogConfig(1024 * 1024 * 1024, 7 * 24 * 3600_000L, 7 * 24 * 3600_000L, -1L,
            1048588, 4096, 10 * 1024 * 1024, false, Long.MAX_VALUE, 3600_000L, true, false, 60_000L,
            CompactionConfig.defaults(), TargetCompression.PRODUCER);
    }

    public LogConfig withSegmentBytes(int bytes) {
        return new LogConfig(bytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes,
            segmentIndexBytes, messageTimestampLogAppendTime, timestampBeforeMaxMs, timestampAfterMaxMs, flushOnAck,
            compact, fileDeleteDelayMs, compaction, compression);
    }

    public LogConfig withSegmentMs(long ms) {
        return new LogConfig(segmentBytes, ms, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes,
            segmentIndexBytes, messageTimestampLogAppendTime, timestampBeforeMaxMs, timestampAfterMaxMs, flushOnAck,
            compact, fileDeleteDelayMs, compaction, compression);
    }

    public LogConfig withRetention(long ms, long bytes) {
        return new LogConfig(segmentBytes, segmentMs, ms, bytes, maxMessageBytes, indexIntervalBytes,
            segmentIndexBytes, messageTimestampLogAppendTime, timestampBeforeMaxMs, timestampAfterMaxMs, flushOnAck,
            compact, fileDeleteDelayMs, compaction, compression);
    }

    public LogConfig withMaxMessageBytes(int bytes) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, bytes, indexIntervalBytes,
            segmentIndexBytes, messageTimestampLogAppendTime, timestampBeforeMaxMs, timestampAfterMaxMs, flushOnAck,
            compact, fileDeleteDelayMs, compaction, compression);
    }

    public LogConfig withIndex(int intervalBytes, int indexBytes) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, intervalBytes,
            indexBytes, messageTimestampLogAppendTime, timestampBeforeMaxMs, timestampAfterMaxMs, flushOnAck,
            compact, fileDeleteDelayMs, compaction, compression);
    }

    public LogConfig withTimestamps(boolean logAppendTime, long beforeMaxMs, long afterMaxMs) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes,
            segmentIndexBytes, logAppendTime, beforeMaxMs, afterMaxMs, flushOnAck, compact, fileDeleteDelayMs,
            compaction, compression);
    }

    public LogConfig withFlushOnAck(boolean flush) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes,
            segmentIndexBytes, messageTimestampLogAppendTime, timestampBeforeMaxMs, timestampAfterMaxMs, flush,
            compact, fileDeleteDelayMs, compaction, compression);
    }

    public LogConfig withCompact(boolean compacted) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes,
            segmentIndexBytes, messageTimestampLogAppendTime, timestampBeforeMaxMs, timestampAfterMaxMs, flushOnAck,
            compacted, fileDeleteDelayMs, compaction, compression);
    }

    public LogConfig withFileDeleteDelayMs(long ms) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes,
            segmentIndexBytes, messageTimestampLogAppendTime, timestampBeforeMaxMs, timestampAfterMaxMs, flushOnAck,
            compact, ms, compaction, compression);
    }

    public LogConfig withCompaction(CompactionConfig settings) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes,
            segmentIndexBytes, messageTimestampLogAppendTime, timestampBeforeMaxMs, timestampAfterMaxMs, flushOnAck,
            compact, fileDeleteDelayMs, settings, compression);
    }

    public LogConfig withCompression(TargetCompression target) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes,
            segmentIndexBytes, messageTimestampLogAppendTime, timestampBeforeMaxMs, timestampAfterMaxMs, flushOnAck,
            compact, fileDeleteDelayMs, compaction, target);
    }
}
