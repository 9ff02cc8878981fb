package io.spool.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 *
 * <p>Slices are read into the buffer instead while they add up to at most {@link #INLINE_RECORDS_BYTES} in a
 * response: a consumer at the end of the log fetches a batch or two at a time, and a region in the middle of a
 * response costs two more system calls (sendfile, then a write for the bytes after it) and two more TCP segments
 * than a single write, which costs more than copying a few kilobytes from the page cache. The bound is per response
 * so that a fetch of many partitions, each with a small slice, still goes out from the files.
 */
public final class ResponseEncoder {
    /** How many bytes of record slices one response copies in rather than sends from the files. */
    static final int INLINE_RECORDS_BYTES = 32 * 1024;

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
        try {
            writer.writeInt(headerSize + bodySize);
            header.write(writer, cache, headerVersion);
            body.write(writer, cache, version);
            return writer.finish();
        } catch (RuntimeException e) {
            writer.release();
            throw e;
        }
    }

    /** A {@link Writable} over a chain of pooled buffers, broken wherever a file region is inserted. */
    private static final class ChunkWriter implements Writable {
        private final ByteBufAllocator allocator;
        private final List<Object> out = new ArrayList<>(3);
        private ByteBuf current;
        private int inlineBudget = INLINE_RECORDS_BYTES;

        ChunkWriter(ByteBufAllocator allocator, int initialCapacity) {
            this.allocator = allocator;
            this.current = allocator.ioBuffer(initialCapacity);
        }

        /** Releases what was written so far (encoding failed). */
        void release() {
            out.forEach(ReferenceCountUtil::release);
            out.clear();
            if (current != null) {
                current.release();
                current = null;
            }
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
                if (slice.sizeInBytes() <= inlineBudget) {
                    inlineBudget -= slice.sizeInBytes();
                    copy(slice);
                    return;
                }
                out.add(current);
                out.add(new SliceFileRegion(slice.channel(), slice.position(), slice.sizeInBytes()));
                current = allocator.ioBuffer(256);
            } else {
                throw new IllegalArgumentException("Unsupported records type " + records.getClass());
            }
        }

        private void copy(FileSliceRecords slice) {
            long position = slice.position();
            int remaining = slice.sizeInBytes();
            try {
                while (remaining > 0) {
                    int read = current.writeBytes(slice.channel(), position, remaining);
                    if (read < 0) {
                        // As SliceFileRegion: the file was truncated under the fetch that found these bytes.
                        throw new UncheckedIOException(new IOException("Log file shrank below the slice being sent"));
                    }
                    position += read;
                    remaining -= read;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
