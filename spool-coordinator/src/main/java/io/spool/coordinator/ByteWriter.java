package io.spool.coordinator;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.Uuid;

/** Big-endian writes for {@link CoordinatorRecordSerde}, the mirror of {@link ByteReader}. Not thread-safe. */
final class ByteWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    ByteWriter writeByte(int v) {
        out.write(v);
        return this;
    }

    ByteWriter writeShort(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    ByteWriter writeInt(int v) {
        writeShort(v >>> 16);
        return writeShort(v);
    }

    ByteWriter writeLong(long v) {
        writeInt((int) (v >>> 32));
        return writeInt((int) v);
    }

    ByteWriter writeUuid(Uuid id) {
        writeLong(id.getMostSignificantBits());
        return writeLong(id.getLeastSignificantBits());
    }

    ByteWriter writeNullableString(String s) {
        if (s == null) {
            return writeShort(-1);
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("string of " + b.length + " bytes is too long");
        }
        writeShort(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    ByteWriter writeNullableBytes(byte[] b) {
        if (b == null) {
            return writeInt(-1);
        }
        writeInt(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
