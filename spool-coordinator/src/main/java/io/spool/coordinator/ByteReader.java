package io.spool.coordinator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.Uuid;

/**
 * Bounds-checked reads for {@link CoordinatorRecordSerde}: every length and count is checked against the bytes that
 * remain before anything is allocated, so corrupt input fails with {@link CorruptCoordinatorRecordException} and
 * never allocates more than the input's size. Not thread-safe; one per decode.
 */
final class ByteReader {

    private final ByteBuffer buf;

    ByteReader(byte[] bytes) {
        this.buf = ByteBuffer.wrap(bytes);
    }

    byte readByte() {
        need(1);
        return buf.get();
    }

    short readShort() {
        need(2);
        return buf.getShort();
    }

    int readInt() {
        need(4);
        return buf.getInt();
    }

    long readLong() {
        need(8);
        return buf.getLong();
    }

    Uuid readUuid() {
        need(16);
        return new Uuid(buf.getLong(), buf.getLong());
    }

    /** A string of an int16 length (-1 = null) and UTF-8 bytes. */
    String readNullableString() {
        int len = readShort();
        if (len == -1) {
            return null;
        }
        if (len < 0) {
            throw new CorruptCoordinatorRecordException("negative string length " + len);
        }
        need(len);
        String s = new String(buf.array(), buf.position(), len, StandardCharsets.UTF_8);
        buf.position(buf.position() + len);
        return s;
    }

    String readString() {
        String s = readNullableString();
        if (s == null) {
            throw new CorruptCoordinatorRecordException("null where a string is required");
        }
        return s;
    }

    /** Bytes of an int32 length (-1 = null). */
    byte[] readNullableBytes() {
        int len = readInt();
        if (len == -1) {
            return null;
        }
        if (len < 0) {
            throw new CorruptCoordinatorRecordException("negative bytes length " + len);
        }
        need(len);
        byte[] out = new byte[len];
        buf.get(out);
        return out;
    }

    /** An int32 count of elements that each take at least {@code minElementBytes}, checked against what remains. */
    int readCount(int minElementBytes) {
        int n = readInt();
        if (n < 0 || (long) n * Math.max(1, minElementBytes) > buf.remaining()) {
            throw new CorruptCoordinatorRecordException("count " + n + " exceeds the " + buf.remaining()
                + " bytes left");
        }
        return n;
    }

    void expectEnd() {
        if (buf.hasRemaining()) {
            throw new CorruptCoordinatorRecordException(buf.remaining() + " trailing bytes");
        }
    }

    private void need(int n) {
        if (buf.remaining() < n) {
            throw new CorruptCoordinatorRecordException("truncated: need " + n + " bytes, " + buf.remaining()
                + " left");
        }
    }
}
