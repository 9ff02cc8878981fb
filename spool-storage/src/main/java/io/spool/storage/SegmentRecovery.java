package io.spool.storage;

import java.io.IOException;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Crash recovery of one segment: re-reads every batch from position 0, verifies framing, offset order and CRC,
 * and rebuilds the offset and time indexes on the way. Stops at the first invalid batch and reports whether valid
 * data follows it, which is what separates a torn tail (nothing valid after, safe to truncate) from corruption in
 * the middle of the log (must be reported). Stateless.
 */
final class SegmentRecovery {

    /** Called for each valid batch in order (producer state and leader epoch rebuild). */
    interface BatchVisitor {
        void onBatch(BatchHeader header);
    }

    /**
     * @param nextOffset       offset after the last valid batch (the segment's base offset if none)
     * @param invalidPosition  position of the first invalid batch, -1 if the whole segment is valid
     * @param reason           why that batch is invalid
     * @param validDataFollows whether a valid batch starts right after a CRC-corrupt but well-framed one
     */
    record Outcome(long nextOffset, long invalidPosition, String reason, boolean validDataFollows) {
        boolean isClean() {
            return invalidPosition < 0;
        }
    }

    private SegmentRecovery() {
    }

    static Outcome recover(LogSegment segment, BatchVisitor visitor) {
        segment.resetIndexes();
        long pos = 0;
        long next = segment.baseOffset();
        long limit = segment.size();
        while (true) {
            BatchHeader header;
            try {
                header = BatchHeader.read(segment.channel(), pos, limit);
            } catch (BatchHeader.InvalidBatchException e) {
                return new Outcome(next, pos, e.getMessage(), false);
            } catch (IOException e) {
                throw new StorageException("cannot read " + segment.logFile(), e);
            }
            if (header == null) {
                return new Outcome(next, -1, null, false);
            }
            if (header.baseOffset() < next || header.lastOffsetDelta() < 0) {
                return new Outcome(next, pos, "batch at " + pos + " has offsets [" + header.baseOffset() + ", "
                    + header.lastOffset() + "] not after " + (next - 1), false);
            }
            RecordBatch batch = segment.loadBatch(header);
            if (!batch.isValid()) {
                boolean follows = isValidBatchAt(segment, pos + header.sizeInBytes(), limit);
                return new Outcome(next, pos, "batch at " + pos + " (offset " + header.baseOffset()
                    + ") fails its CRC check", follows);
            }
            segment.onBatchIndexed(header.baseOffset(), header.lastOffset(), header.maxTimestamp(), (int) pos,
                header.sizeInBytes());
            visitor.onBatch(header);
            next = header.nextOffset();
            pos += header.sizeInBytes();
        }
    }

    private static boolean isValidBatchAt(LogSegment segment, long pos, long limit) {
        try {
            BatchHeader header = BatchHeader.read(segment.channel(), pos, limit);
            return header != null && segment.loadBatch(header).isValid();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
