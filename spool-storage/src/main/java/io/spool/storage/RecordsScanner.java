package io.spool.storage;

import java.nio.ByteBuffer;

/**
 * The fast path of record validation: walks the records of one uncompressed v2 batch in place, without creating
 * record objects, and answers whether every record is well formed and acceptable. A record ({@code DefaultRecord})
 * is laid out as
 *
 * <pre>
 *   length: varint            bytes that follow, up to the end of the record
 *   attributes: int8
 *   timestampDelta: varlong   added to the batch's first timestamp
 *   offsetDelta: varint       must equal the record's index in the batch
 *   keyLength: varint         -1 for a null key
 *   key: bytes
 *   valueLength: varint       -1 for a null value
 *   value: bytes
 *   headerCount: varint
 *   headers: [keyLength: varint (>= 0), key: bytes, valueLength: varint (>= -1), value: bytes]...
 * </pre>
 *
 * {@code true} means the full validation would find nothing; {@code false} means only "look closer": the caller then
 * runs the full, allocating validation that produces Kafka's exact error and per-record messages. So the fast path
 * must never accept what the full path rejects, while it may refuse anything unusual. Stateless.
 */
final class RecordsScanner {
    private static final int MAX_VARINT_BYTES = 5;
    private static final int MAX_VARLONG_BYTES = 10;

    private final ByteBuffer buffer;
    private final int end;
    private int pos;

    private RecordsScanner(ByteBuffer buffer, int pos, int end) {
        this.buffer = buffer;
        this.pos = pos;
        this.end = end;
    }

    /** The rules a batch's records must follow. */
    record Rules(boolean keyRequired, boolean checkTimestamps, long minTimestamp, long maxTimestamp) {
    }

    /**
     * @param recordsStart absolute position of the first record in {@code buffer}
     * @param recordsEnd   absolute position just past the batch
     * @param count        the batch's declared record count
     */
    static boolean accepts(ByteBuffer buffer, int recordsStart, int recordsEnd, int count, long firstTimestamp,
                           Rules rules) {
        return new RecordsScanner(buffer, recordsStart, recordsEnd).scan(count, firstTimestamp, rules);
    }

    private boolean scan(int count, long firstTimestamp, Rules rules) {
        try {
            for (int index = 0; index < count; index++) {
                if (!record(index, firstTimestamp, rules)) {
                    return false;
                }
            }
            return pos == end;
        } catch (Malformed e) {
            return false;
        }
    }

    private boolean record(int index, long firstTimestamp, Rules rules) {
        int length = varint();
        if (length < 0 || length > end - pos) {
            return false;
        }
        int recordEnd = pos + length;
        skip(1, recordEnd);
        long timestamp = firstTimestamp + varlong();
        if (varint() != index) {
            return false;
        }
        int keyLength = varint();
        if (keyLength < -1 || (keyLength == -1 && rules.keyRequired())) {
            return false;
        }
        skip(Math.max(keyLength, 0), recordEnd);
        int valueLength = varint();
        if (valueLength < -1) {
            return false;
        }
        skip(Math.max(valueLength, 0), recordEnd);
        int headers = varint();
        if (headers < 0) {
            return false;
        }
        for (int h = 0; h < headers; h++) {
            int headerKeyLength = varint();
            if (headerKeyLength < 0) {
                return false;
            }
            skip(headerKeyLength, recordEnd);
            int headerValueLength = varint();
            if (headerValueLength < -1) {
                return false;
            }
            skip(Math.max(headerValueLength, 0), recordEnd);
        }
        if (pos != recordEnd) {
            return false;
        }
        return !rules.checkTimestamps()
            || (timestamp >= rules.minTimestamp() && timestamp <= rules.maxTimestamp());
    }

    private void skip(int bytes, int limit) {
        if (bytes > limit - pos) {
            throw Malformed.INSTANCE;
        }
        pos += bytes;
    }

    private int varint() {
        int raw = 0;
        for (int shift = 0, i = 0; i < MAX_VARINT_BYTES; i++, shift += 7) {
            byte b = next();
            raw |= (b & 0x7f) << shift;
            if (b >= 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw Malformed.INSTANCE;
    }

    private long varlong() {
        long raw = 0;
        for (int shift = 0, i = 0; i < MAX_VARLONG_BYTES; i++, shift += 7) {
            byte b = next();
            raw |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw Malformed.INSTANCE;
    }

    private byte next() {
        if (pos >= end) {
            throw Malformed.INSTANCE;
        }
        return buffer.get(pos++);
    }

    /** Control flow for a malformed record: shared and stackless, because the caller only needs "no". */
    private static final class Malformed extends RuntimeException {
        static final Malformed INSTANCE = new Malformed();

        private Malformed() {
            super(null, null, false, false);
        }
    }
}
