package io.spool.broker.handler;

import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The shape Kafka demands of one partition's records in a Produce request (v3 and later), checked on the raw
 * bytes before the log sees them. Only the first batch's header is read:
 *
 * <pre>
 *  0        8         12            16      17    21           23
 *  +--------+---------+-------------+-------+-----+------------+---- ...
 *  | offset | length  | leader epoch| magic | crc | attributes |
 *  +--------+---------+-------------+-------+-----+------------+---- ...
 *           length counts the bytes after itself; attributes &amp; 0x07 is the codec
 * </pre>
 *
 * <p>Errors, in the order Kafka checks them: no batch at all, or a magic other than 2, is INVALID_RECORD; a zstd
 * batch in a request older than v7 (KIP-110: a client must show it can read zstd) is UNSUPPORTED_COMPRESSION_TYPE;
 * more than one batch is INVALID_RECORD. A header too short to read, or a length running past the records, is
 * CORRUPT_MESSAGE. Stateless.
 */
final class ProduceRecordsCheck {
    /** The first Produce version whose clients may send zstd batches. */
    static final short MIN_ZSTD_VERSION = 7;

    private static final int LENGTH_OFFSET = 8;
    private static final int LOG_OVERHEAD = 12;
    private static final int MAGIC_OFFSET = 16;
    private static final int ATTRIBUTES_OFFSET = 21;
    private static final int ATTRIBUTES_END = 23;
    private static final int COMPRESSION_MASK = 0x07;

    private ProduceRecordsCheck() {
    }

    static Errors check(short version, MemoryRecords records) {
        ByteBuffer buffer = records.buffer();
        int start = buffer.position();
        int size = buffer.remaining();
        if (size <= MAGIC_OFFSET) {
            return size == 0 ? Errors.INVALID_RECORD : Errors.CORRUPT_MESSAGE;
        }
        int batchLength = buffer.getInt(start + LENGTH_OFFSET);
        long batchEnd = LOG_OVERHEAD + (long) batchLength;
        if (batchLength < 0 || batchEnd > size) {
            return Errors.CORRUPT_MESSAGE;
        }
        if (buffer.get(start + MAGIC_OFFSET) != RecordBatch.MAGIC_VALUE_V2) {
            return Errors.INVALID_RECORD;
        }
        // A batch too short to hold its attributes is left to the log, which reports it as corrupt.
        if (version < MIN_ZSTD_VERSION && batchEnd >= ATTRIBUTES_END
                && (buffer.getShort(start + ATTRIBUTES_OFFSET) & COMPRESSION_MASK) == CompressionType.ZSTD.id) {
            return Errors.UNSUPPORTED_COMPRESSION_TYPE;
        }
        return batchEnd == size ? Errors.NONE : Errors.INVALID_RECORD;
    }
}
