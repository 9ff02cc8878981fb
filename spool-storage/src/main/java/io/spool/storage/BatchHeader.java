package io.spool.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The fixed 61-byte header of a record batch (magic v2), read from a segment file without touching the records.
 *
 * <pre>
 *  0        8       12       16  17    21    23              27         35         43      51     53      57     61
 *  +--------+-------+--------+---+-----+-----+---------------+----------+----------+-------+------+-------+------+
 *  |baseOff |length |leaderEp|mgc| crc |attrs|lastOffsetDelta|baseTstamp|maxTstamp |prodId |prodEp|baseSeq|count |
 *  | int64  |int32  | int32  |i8 |u32  |int16| int32         | int64    | int64    | int64 |int16 | int32 |int32 |
 *  +--------+-------+--------+---+-----+-----+---------------+----------+----------+-------+------+-------+------+
 *  length counts the bytes after the length field; the CRC-32C covers attrs .. end of the records.
 *  attrs: bits 0-2 compression, 3 timestamp type (1 = LogAppendTime), 4 transactional, 5 control.
 * </pre>
 *
 * Immutable.
 */
record BatchHeader(long position, long baseOffset, int length, int leaderEpoch, byte magic, short attributes,
                   int lastOffsetDelta, long maxTimestamp, long producerId, short producerEpoch, int baseSequence,
                   int recordCount) {

    static final int LOG_OVERHEAD = 12;
    static final int HEADER_SIZE = 61;
    static final int BASE_TIMESTAMP_OFFSET = 27;

    int sizeInBytes() {
        return length + LOG_OVERHEAD;
    }

    long lastOffset() {
        return baseOffset + lastOffsetDelta;
    }

    long nextOffset() {
        return lastOffset() + 1;
    }

    TimestampType timestampType() {
        return (attributes & 0x08) != 0 ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
    }

    boolean isTransactional() {
        return (attributes & 0x10) != 0;
    }

    boolean isControl() {
        return (attributes & 0x20) != 0;
    }

    int lastSequence() {
        if (baseSequence == RecordBatch.NO_SEQUENCE) {
            return RecordBatch.NO_SEQUENCE;
        }
        long last = (long) baseSequence + lastOffsetDelta;
        return last > Integer.MAX_VALUE ? (int) (last - Integer.MAX_VALUE - 1) : (int) last;
    }

    /**
     * Reads the header at {@code position}; returns null when {@code position == limit} (clean end).
     *
     * @throws InvalidBatchException when the bytes up to {@code limit} do not hold a whole v2 batch there
     */
    static BatchHeader read(FileChannel channel, long position, long limit) throws IOException {
        if (position >= limit) {
            return null;
        }
        if (limit - position < HEADER_SIZE) {
            throw new InvalidBatchException(position, "only " + (limit - position) + " bytes left for a header");
        }
        ByteBuffer buf = ByteBuffer.allocate(HEADER_SIZE);
        while (buf.hasRemaining()) {
            if (channel.read(buf, position + buf.position()) < 0) {
                throw new InvalidBatchException(position, "file ends inside a batch header");
            }
        }
        buf.flip();
        BatchHeader header = parse(position, buf);
        if (header.magic != RecordBatch.MAGIC_VALUE_V2) {
            throw new InvalidBatchException(position, "magic " + header.magic + " is not 2");
        }
        if (header.length < HEADER_SIZE - LOG_OVERHEAD) {
            throw new InvalidBatchException(position, "batch length " + header.length + " below the header size");
        }
        if (header.sizeInBytes() > limit - position) {
            throw new InvalidBatchException(position, "batch of " + header.sizeInBytes() + " bytes runs past the end");
        }
        return header;
    }

    static BatchHeader parse(long position, ByteBuffer buf) {
        int p = buf.position();
        return new BatchHeader(position, buf.getLong(p), buf.getInt(p + 8), buf.getInt(p + 12), buf.get(p + 16),
            buf.getShort(p + 21), buf.getInt(p + 23), buf.getLong(p + 35), buf.getLong(p + 43), buf.getShort(p + 51),
            buf.getInt(p + 53), buf.getInt(p + 57));
    }

    /** A batch whose framing is broken at a file position (torn write or corruption). */
    static final class InvalidBatchException extends IOException {
        final long position;

        InvalidBatchException(long position, String message) {
            super("invalid batch at position " + position + ": " + message);
            this.position = position;
        }
    }
}
