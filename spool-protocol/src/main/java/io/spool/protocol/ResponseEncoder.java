package io.spool.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Serializes a response (size prefix, header, body) into the messages to write to the channel, in order: byte
 * buffers, and a {@link SliceFileRegion} for every {@link FileSliceRecords} so fetched records go from the file to
 * the socket without passing through the heap. Stateless; each call owns its output.
 */
public final class ResponseEncoder {
    private final ByteBufAllocator allocator;

    public ResponseEncoder(ByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    /** Encodes a response for the request's version; ApiVersions responses always use header v0 (KIP-511). */
    public List<Object> encode(ApiKeys key, short version, int correlationId, ApiMessage body) {
        short headerVersion = key == ApiKeys.API_VERSIONS ? 0 : key.responseHeaderVersion(version);
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int headerSize = header.size(cache, headerVersion);
        int bodySize = body.size(cache, version);
        ChunkWriter writer = new ChunkWriter(allocator, Math.min(4 + headerSize + bodySize, 64 * 1024));
        writer.writeInt(headerSize + bodySize);
        header.write(writer, cache, headerVersion);
        body.write(writer, cache, version);
        return writer.finish();
    }

    /** A {@link Writable} over a chain of pooled buffers, broken wherever a file region is inserted. */
    private static final class ChunkWriter implements Writable {
        private final ByteBufAllocator allocator;
        private final List<Object> out = new ArrayList<>(3);
        private ByteBuf current;

        ChunkWriter(ByteBufAllocator allocator, int initialCapacity) {
            this.allocator = allocator;
            this.current = allocator.ioBuffer(initialCapacity);
        }

        List<Object> finish() {
            if (current.isReadable()) {
                out.add(current);
            } else {
                current.release();
            }
            current = null;
            return out;
        }

        @Override
        public void writeByte(byte val) {
            current.writeByte(val);
        }

        @Override
        public void writeShort(short val) {
            current.writeShort(val);
        }

        @Override
        public void writeInt(int val) {
            current.writeInt(val);
        }

        @Override
        public void writeLong(long val) {
            current.writeLong(val);
        }

        @Override
        public void writeDouble(double val) {
            current.writeDouble(val);
        }

        @Override
        public void writeByteArray(byte[] arr) {
            current.writeBytes(arr);
        }

        @Override
        public void writeUnsignedVarint(int i) {
            int value = i;
            while ((value & 0xffffff80) != 0) {
                current.writeByte((value & 0x7f) | 0x80);
                value >>>= 7;
            }
            current.writeByte(value);
        }

        @Override
        public void writeByteBuffer(ByteBuffer buf) {
            current.writeBytes(buf.duplicate());
        }

        @Override
        public void writeVarint(int i) {
            writeUnsignedVarint((i << 1) ^ (i >> 31));
        }

        @Override
        public void writeVarlong(long i) {
            long value = (i << 1) ^ (i >> 63);
            while ((value & 0xffffffffffffff80L) != 0L) {
                current.writeByte(((int) value & 0x7f) | 0x80);
                value >>>= 7;
            }
            current.writeByte((int) value);
        }

        @Override
        public void writeUuid(Uuid uuid) {
            current.writeLong(uuid.getMostSignificantBits());
            current.writeLong(uuid.getLeastSignificantBits());
        }

        @Override
        public void writeRecords(BaseRecords records) {
            if (records instanceof MemoryRecords memory) {
                current.writeBytes(memory.buffer().duplicate());
            } else if (records instanceof FileSliceRecords slice) {
                if (slice.sizeInBytes() == 0) {
                    return;
                }
                out.add(current);
                out.add(new SliceFileRegion(slice.channel(), slice.position(), slice.sizeInBytes()));
                current = allocator.ioBuffer(256);
            } else {
                throw new IllegalArgumentException("Unsupported records type " + records.getClass());
            }
        }
    }
}
