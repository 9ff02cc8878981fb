package io.spool.cli;

/**
 * Where {@code spool group reset-offsets} moves a group's committed offset, and the arithmetic that turns it into
 * one partition's new offset: whatever is asked, the result lies within the partition's retained records,
 * {@code [earliest, latest]}, as {@code kafka-consumer-groups.sh} clamps it. Immutable.
 */
sealed interface OffsetReset {

    /**
     * What the broker answered for one partition.
     *
     * @param earliest    the first retained offset
     * @param latest      the log end offset
     * @param atTimestamp the first offset at or after the {@link ToTimestamp} time; {@code -1} when no record is that
     *                    recent or when the target is not a time
     */
    record LogOffsets(long earliest, long latest, long atTimestamp) {
        public LogOffsets {
            if (earliest < 0 || latest < earliest) {
                throw new IllegalArgumentException("Invalid log offsets [" + earliest + ", " + latest + "]");
            }
        }

        long clamp(long offset) {
            return Math.max(earliest, Math.min(latest, offset));
        }
    }

    /**
     * The new committed offset of one partition.
     *
     * @param committed the committed offset, or {@code null} when there is none
     * @throws CliException when the target needs a committed offset and there is none
     */
    long newOffset(Long committed, LogOffsets log);

    /** The first retained record. */
    record Earliest() implements OffsetReset {
        @Override
        public long newOffset(Long committed, LogOffsets log) {
            return log.earliest();
        }
    }

    /** After the last record: the consumer reads only what is produced from now on. */
    record Latest() implements OffsetReset {
        @Override
        public long newOffset(Long committed, LogOffsets log) {
            return log.latest();
        }
    }

    /** The same offset in every partition. */
    record ToOffset(long offset) implements OffsetReset {
        @Override
        public long newOffset(Long committed, LogOffsets log) {
            return log.clamp(offset);
        }
    }

    /** The committed offset moved by {@code delta}; negative reads records again. */
    record ShiftBy(long delta) implements OffsetReset {
        @Override
        public long newOffset(Long committed, LogOffsets log) {
            if (committed == null) {
                throw CliException.failed("--shift-by needs a committed offset to shift");
            }
            // committed is never negative, so only a positive delta can overflow
            return log.clamp(delta > Long.MAX_VALUE - committed ? Long.MAX_VALUE : committed + delta);
        }
    }

    /** The first record whose timestamp is at or after {@code timestampMs}; the end when no record is that recent. */
    record ToTimestamp(long timestampMs) implements OffsetReset {
        @Override
        public long newOffset(Long committed, LogOffsets log) {
            return log.atTimestamp() < 0 ? log.latest() : log.clamp(log.atTimestamp());
        }
    }
}
