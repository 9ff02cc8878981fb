package io.spool.storage;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A range of a segment file holding whole record batches, meant to be sent with
 * {@link FileChannel#transferTo} (zero copy). The channel stays open at least
 * {@link LogConfig#fileDeleteDelayMs()} after its segment is deleted, so a slice handed out stays readable that long.
 */
public record LogSlice(FileChannel channel, long position, int sizeInBytes) {

    public static final LogSlice EMPTY = new LogSlice(null, 0, 0);

    public boolean isEmpty() {
        return sizeInBytes == 0;
    }

    /** Reads the whole slice into {@code dst}, which must have at least {@link #sizeInBytes()} bytes remaining. */
    public void readFully(ByteBuffer dst) throws IOException {
        if (dst.remaining() < sizeInBytes) {
            throw new IllegalArgumentException("buffer has " + dst.remaining() + " bytes, slice " + sizeInBytes);
        }
        int done = 0;
        while (done < sizeInBytes) {
            ByteBuffer view = dst.duplicate();
            view.limit(view.position() + (sizeInBytes - done));
            int n = channel.read(view, position + done);
            if (n < 0) {
                throw new EOFException("slice ends beyond the end of its file");
            }
            dst.position(dst.position() + n);
            done += n;
        }
    }

    /** Transfers the whole slice to {@code target} with the kernel's zero-copy path where available. */
    public void transferTo(WritableByteChannel target) throws IOException {
        long done = 0;
        while (done < sizeInBytes) {
            long n = channel.transferTo(position + done, sizeInBytes - done, target);
            if (n <= 0) {
                throw new EOFException("slice ends beyond the end of its file");
            }
            done += n;
        }
    }
}
