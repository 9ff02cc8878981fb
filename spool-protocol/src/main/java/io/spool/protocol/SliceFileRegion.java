package io.spool.protocol;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A region of a log file written to a socket with {@link FileChannel#transferTo} (sendfile on Linux for plaintext
 * NIO sockets). Unlike Netty's DefaultFileRegion it never closes the channel: the log owns it, and a segment that
 * retention removes stays open until reads in flight are done. Used by one event loop.
 */
final class SliceFileRegion extends AbstractReferenceCounted implements FileRegion {
    private final FileChannel file;
    private final long position;
    private final long count;
    private long transferred;

    SliceFileRegion(FileChannel file, long position, long count) {
        this.file = file;
        this.position = position;
        this.count = count;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    @Deprecated
    public long transfered() {
        return transferred;
    }

    @Override
    public long transferred() {
        return transferred;
    }

    @Override
    public long transferTo(WritableByteChannel target, long offset) throws IOException {
        long remaining = count - offset;
        if (remaining <= 0) {
            return 0;
        }
        long written = file.transferTo(position + offset, remaining, target);
        if (written == 0 && file.size() < position + count) {
            // The file was truncated under us; without this check the event loop would retry forever.
            throw new IOException("Log file shrank below the region being sent");
        }
        transferred += written;
        return written;
    }

    @Override
    protected void deallocate() {
    }

    @Override
    public FileRegion retain() {
        super.retain();
        return this;
    }

    @Override
    public FileRegion retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public FileRegion touch() {
        return this;
    }

    @Override
    public FileRegion touch(Object hint) {
        return this;
    }
}
