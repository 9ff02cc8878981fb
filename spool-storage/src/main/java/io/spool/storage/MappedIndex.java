package io.spool.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A memory-mapped file of fixed-size entries sorted by offset, the common part of {@link OffsetIndex} and
 * {@link TimeIndex}.
 *
 * <p>While its segment is active the index may grow to {@code maxIndexSize} (rounded down to a whole entry). The file
 * and its mapping start small and double as entries arrive, zero-filled past the last entry: a file preallocated
 * sparse to its maximum would make every first touch of a page fault in (and zero) a whole read-around window,
 * which with a thousand partitions costs more CPU than the appends. {@link #trimToValidSize()} cuts the file to
 * exactly {@code entries * entrySize} bytes when the segment rolls or the log closes. After a crash the active segment's index is rebuilt from the log,
 * so trailing zeros never reach a reader; an older index that fails {@link #sanityCheck()} is rebuilt too.
 *
 * <p>Thread safety: one writer (the log's append lock) and any number of readers. Readers use absolute gets on the
 * current mapping and see entries published through the volatile entry count. A replaced mapping is never unmapped
 * explicitly (the JDK has no supported way), it is left to the garbage collector and never read past the file end.
 */
abstract class MappedIndex {
    private static final int INITIAL_BYTES = 4096;

    protected final long baseOffset;
    private final int entrySize;
    private volatile Path file;
    private volatile MappedByteBuffer mmap;
    private volatile int entries;
    /** Entries the current mapping holds. */
    private int mappedEntries;
    /** Entries the index may grow to: {@code maxIndexSize} while writable, what it holds otherwise. */
    private int maxEntries;

    MappedIndex(Path file, long baseOffset, int maxIndexSize, boolean writable, int entrySize) {
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        try {
            boolean existed = Files.exists(file) && Files.size(file) > 0;
            int existingLength = existed ? roundDown((int) Math.min(Files.size(file), Integer.MAX_VALUE)) : 0;
            int limit = writable ? Math.max(roundDown(maxIndexSize), existingLength) : existingLength;
            map(Math.max(existingLength, Math.min(limit, roundDown(INITIAL_BYTES))));
            this.maxEntries = limit / entrySize;
            this.entries = existingLength / entrySize;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open index " + file, e);
        }
    }

    private int roundDown(int bytes) {
        return bytes / entrySize * entrySize;
    }

    private void map(int length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
            if (ch.size() != length) {
                if (ch.size() > length) {
                    ch.truncate(length);
                } else {
                    ch.write(java.nio.ByteBuffer.allocate(1), length - 1);
                }
            }
            mmap = ch.map(FileChannel.MapMode.READ_WRITE, 0, length);
            mappedEntries = length / entrySize;
        }
    }

    /** Makes room for entry number {@code entries} (the caller checked {@link #isFull()}): doubles the mapping. */
    protected final void ensureRoomForNextEntry() {
        if (entries < mappedEntries) {
            return;
        }
        int length = (int) Math.min(slot(maxEntries), Math.max(2L * slot(mappedEntries), roundDown(INITIAL_BYTES)));
        try {
            map(length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot grow index " + file, e);
        }
    }

    final int entries() {
        return entries;
    }

    final boolean isFull() {
        return entries >= maxEntries;
    }

    final int maxEntries() {
        return maxEntries;
    }

    final Path file() {
        return file;
    }

    /** Renames the file, replacing {@code target} if it exists (see {@link LogSegment#renameForDeletion()}). */
    final void renameTo(Path target) throws IOException {
        Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
        file = target;
    }

    protected final MappedByteBuffer buffer() {
        return mmap;
    }

    protected final int slot(int n) {
        return n * entrySize;
    }

    /** Publishes one entry already written at slot {@code entries}. */
    protected final void commitEntry() {
        entries = entries + 1;
    }

    protected final void setEntries(int n) {
        entries = n;
    }

    protected final int relativeOffset(long offset) {
        long rel = offset - baseOffset;
        if (rel < 0 || rel > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " does not fit segment " + baseOffset);
        }
        return (int) rel;
    }

    /**
     * Index of the last entry whose key is {@code <= target}, or -1 if none; {@code keyAt} must be non-decreasing.
     */
    protected final int largestLowerBound(long target, java.util.function.IntToLongFunction keyAt) {
        int n = entries;
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (keyAt.applyAsLong(mid) <= target) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Drops every entry, keeping the file at its current (preallocated) size. */
    final void reset() {
        entries = 0;
    }

    /** Cuts the file to exactly the valid entries and makes that length durable. */
    final void trimToValidSize() {
        try {
            map(slot(entries));
            maxEntries = entries;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot trim index " + file, e);
        }
    }

    /** Lets a trimmed index grow to {@code maxIndexSize} again so the segment can take appends (mapped lazily). */
    final void resize(int maxIndexSize) {
        maxEntries = Math.max(roundDown(maxIndexSize), slot(entries)) / entrySize;
    }

    final void flush() {
        mmap.force();
    }

    /** Throws {@link CorruptIndexException} if entries are not strictly ordered or point outside the segment. */
    abstract void sanityCheck(long segmentSize);

    /** An index whose content cannot be trusted; it is rebuilt from the log. */
    static final class CorruptIndexException extends RuntimeException {
        CorruptIndexException(String message) {
            super(message);
        }
    }
}
