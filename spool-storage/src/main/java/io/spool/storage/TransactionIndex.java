package io.spool.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The aborted-transaction index of one segment, file {@code %020d.txnindex} (Kafka's name and layout): one entry
 * per transaction aborted by a marker in the segment, in marker order.
 *
 * <pre>
 *  0        2            10            18           26                34
 *  +--------+------------+-------------+------------+-----------------+
 *  |version | producerId | firstOffset | lastOffset | lastStableOffset|
 *  | int16=0| int64      | int64       | int64      | int64           |
 *  +--------+------------+-------------+------------+-----------------+
 *  firstOffset: the transaction's first batch; lastOffset: its abort marker (in this segment);
 *  lastStableOffset: the first unstable offset of the partition right after the marker.
 * </pre>
 *
 * Entries are kept in memory too; the file is appended without fsync and fsynced with the segment's indexes. After a
 * crash the index of every segment that recovery re-reads is emptied and rebuilt by replaying the segment's batches
 * through producer state ({@link LogLoader}); a torn entry at the end (size not a multiple of 34, or a bad version)
 * is dropped on open. Appending an entry whose marker is not after the last one is a no-op, which is what makes a
 * replay over a segment whose index is intact harmless. Thread safety: mutated under the log's lock; reads
 * synchronize on the instance.
 */
final class TransactionIndex {

    static final String SUFFIX = ".txnindex";
    static final int ENTRY_SIZE = 34;
    private static final short VERSION = 0;

    /** One entry. */
    record Entry(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private Path file;
    private boolean dirty;

    TransactionIndex(Path file, boolean create) throws IOException {
        this.file = file;
        if (create) {
            Files.deleteIfExists(file);
        } else {
            load();
        }
    }

    private void load() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return;
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.remaining() >= ENTRY_SIZE && buf.getShort(buf.position()) == VERSION) {
            buf.getShort();
            entries.add(new Entry(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong()));
        }
        if (buf.hasRemaining()) {
            rewrite();
        }
    }

    Path file() {
        return file;
    }

    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    synchronized boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Appends {@code entry} unless its marker is not after the last entry's (a replay over an intact index). */
    synchronized void append(Entry entry) {
        if (!entries.isEmpty() && entries.get(entries.size() - 1).lastOffset() >= entry.lastOffset()) {
            return;
        }
        entries.add(entry);
        ByteBuffer buf = ByteBuffer.allocate(ENTRY_SIZE);
        buf.putShort(VERSION).putLong(entry.producerId()).putLong(entry.firstOffset()).putLong(entry.lastOffset())
            .putLong(entry.lastStableOffset()).flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        } catch (IOException e) {
            throw new StorageException("cannot append to " + file, e);
        }
        dirty = true;
    }

    /** Drops the entries whose marker is at or above {@code offset} (the segment was cut there). */
    synchronized void truncateTo(long offset) {
        if (entries.removeIf(e -> e.lastOffset() >= offset)) {
            rewrite();
        }
    }

    /** Drops every entry (recovery rebuilds them). */
    synchronized void reset() {
        entries.clear();
        rewrite();
    }

    private void rewrite() {
        try {
            if (entries.isEmpty()) {
                Files.deleteIfExists(file);
                return;
            }
            ByteBuffer buf = ByteBuffer.allocate(entries.size() * ENTRY_SIZE);
            for (Entry e : entries) {
                buf.putShort(VERSION).putLong(e.producerId()).putLong(e.firstOffset()).putLong(e.lastOffset())
                    .putLong(e.lastStableOffset());
            }
            Fs.atomicWrite(file, buf.array());
            dirty = false;
        } catch (IOException e) {
            throw new StorageException("cannot rewrite " + file, e);
        }
    }

    /** fsyncs appended entries. */
    synchronized void flush() {
        if (!dirty) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
            dirty = false;
        } catch (NoSuchFileException e) {
            dirty = false;
        } catch (IOException e) {
            throw new StorageException("cannot fsync " + file, e);
        }
    }

    /** Renames the file (segment stage change); a missing file is fine. */
    synchronized void renameTo(Path target) throws IOException {
        try {
            Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            // no aborted transaction in this segment
        }
        file = target;
    }

    synchronized void delete() throws IOException {
        Files.deleteIfExists(file);
    }
}
