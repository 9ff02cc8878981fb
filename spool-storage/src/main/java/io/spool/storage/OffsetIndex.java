package io.spool.storage;

import java.nio.file.Path;

/**
 * Sparse map from offset to byte position in one segment's {@code .log} file, one entry every
 * {@link LogConfig#indexIntervalBytes()} bytes of appended batches.
 *
 * <pre>
 * file: %020d.index, entries sorted by offset, strictly increasing
 *  0               4               8
 *  +---------------+---------------+
 *  | relativeOffset| position      |   relativeOffset = batch base offset - segment base offset (int32, big endian)
 *  +---------------+---------------+   position       = byte position of that batch in the .log file (int32)
 * </pre>
 *
 * <p>A lookup returns the last entry at or below the target; the caller scans batch headers forward from there, so
 * the index may lag (entries are only hints). Crash behaviour and threading: see {@link MappedIndex}.
 */
final class OffsetIndex extends MappedIndex {

    static final int ENTRY_SIZE = 8;

    /** An index entry with absolute offset. */
    record Entry(long offset, int position) {
    }

    OffsetIndex(Path file, long baseOffset, int maxIndexSize, boolean writable) {
        super(file, baseOffset, maxIndexSize, writable, ENTRY_SIZE);
    }

    private int relOffsetAt(int n) {
        return buffer().getInt(slot(n));
    }

    private int positionAt(int n) {
        return buffer().getInt(slot(n) + 4);
    }

    /** The last entry with offset {@code <= offset}, or (baseOffset, 0) if there is none. */
    Entry lookup(long offset) {
        int n = largestLowerBound(offset - baseOffset, this::relOffsetAt);
        return n < 0 ? new Entry(baseOffset, 0) : new Entry(baseOffset + relOffsetAt(n), positionAt(n));
    }

    /**
     * The position of the last entry at or below {@code position} (positions increase with offsets), or 0, the
     * segment's first batch, if there is none: a batch boundary at or before {@code position}.
     */
    int floorPosition(long position) {
        int n = largestLowerBound(position, this::positionAt);
        return n < 0 ? 0 : positionAt(n);
    }

    Entry lastEntry() {
        int n = entries();
        return n == 0 ? new Entry(baseOffset, 0) : new Entry(baseOffset + relOffsetAt(n - 1), positionAt(n - 1));
    }

    /** Appends an entry; offsets must strictly increase. */
    void append(long offset, int position) {
        int n = entries();
        if (isFull()) {
            throw new IllegalStateException("offset index " + file() + " is full");
        }
        if (n > 0 && offset - baseOffset <= relOffsetAt(n - 1)) {
            throw new IllegalStateException("offset " + offset + " not above last index entry in " + file());
        }
        ensureRoomForNextEntry();
        buffer().putInt(slot(n), relativeOffset(offset));
        buffer().putInt(slot(n) + 4, position);
        commitEntry();
    }

    /** Removes every entry with offset {@code >= offset}. */
    void truncateTo(long offset) {
        int n = largestLowerBound(offset - baseOffset - 1, this::relOffsetAt);
        setEntries(n + 1);
    }

    @Override
    void sanityCheck(long segmentSize) {
        int prev = -1;
        for (int i = 0; i < entries(); i++) {
            int rel = relOffsetAt(i);
            int pos = positionAt(i);
            if (rel <= prev || rel < 0 || pos < 0 || pos > segmentSize) {
                throw new CorruptIndexException("offset index " + file() + " entry " + i + " (" + rel + ", " + pos
                    + ") out of order or beyond segment size " + segmentSize);
            }
            prev = rel;
        }
    }
}
