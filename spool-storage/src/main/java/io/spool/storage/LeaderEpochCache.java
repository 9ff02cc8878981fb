package io.spool.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The start offset of every leader epoch present in the log, persisted in {@code leader-epoch-checkpoint} (Kafka's
 * text format) whenever it changes; changes are rare (a new leader), so each one is written atomically at once.
 *
 * <pre>
 * 0          version
 * 2          number of entries
 * 3 0        epoch startOffset, both increasing
 * 5 1200
 * </pre>
 *
 * Thread safety: synchronized; written under the append lock, read by ListOffsets / OffsetForLeaderEpoch.
 */
final class LeaderEpochCache {

    static final String FILE_NAME = "leader-epoch-checkpoint";

    /** One epoch and the first offset written in it. */
    record EpochEntry(int epoch, long startOffset) {
    }

    private final Path file;
    private final List<EpochEntry> entries = new ArrayList<>();

    LeaderEpochCache(Path dir) {
        this.file = dir.resolve(FILE_NAME);
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            int count = Integer.parseInt(lines.get(1).trim());
            for (int i = 0; i < count; i++) {
                String[] parts = lines.get(2 + i).trim().split(" ");
                entries.add(new EpochEntry(Integer.parseInt(parts[0]), Long.parseLong(parts[1])));
            }
        } catch (NoSuchFileException e) {
            // a new log has no epochs yet
        } catch (IOException | RuntimeException e) {
            throw new CorruptLogException("unreadable leader epoch checkpoint " + file, e);
        }
    }

    /** Records that {@code epoch} starts at {@code startOffset} if it is newer than the latest known epoch. */
    synchronized void assign(int epoch, long startOffset) {
        if (epoch < 0 || (!entries.isEmpty() && entries.get(entries.size() - 1).epoch() >= epoch)) {
            return;
        }
        entries.removeIf(e -> e.startOffset() >= startOffset);
        entries.add(new EpochEntry(epoch, startOffset));
        persist();
    }

    synchronized List<EpochEntry> entries() {
        return List.copyOf(entries);
    }

    synchronized int latestEpoch() {
        return entries.isEmpty() ? -1 : entries.get(entries.size() - 1).epoch();
    }

    /**
     * End offset of {@code epoch} (the start of the next higher epoch, or {@code logEndOffset} for the latest), with
     * the largest epoch {@code <=} the requested one; (-1, -1) if none (OffsetForLeaderEpoch semantics).
     */
    synchronized EpochEntry endOffsetFor(int epoch, long logEndOffset) {
        EpochEntry found = null;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).epoch() <= epoch) {
                found = entries.get(i);
                long end = i + 1 < entries.size() ? entries.get(i + 1).startOffset() : logEndOffset;
                found = new EpochEntry(found.epoch(), end);
            }
        }
        return found == null ? new EpochEntry(-1, -1) : found;
    }

    /** Drops epochs that start at or after {@code endOffset} (the log was truncated there). */
    synchronized void truncateFromEnd(long endOffset) {
        if (entries.removeIf(e -> e.startOffset() >= endOffset)) {
            persist();
        }
    }

    /** Drops epochs wholly below {@code startOffset} and moves the first kept one up to it. */
    synchronized void truncateFromStart(long startOffset) {
        boolean changed = false;
        while (entries.size() > 1 && entries.get(1).startOffset() <= startOffset) {
            entries.remove(0);
            changed = true;
        }
        if (!entries.isEmpty() && entries.get(0).startOffset() < startOffset) {
            entries.set(0, new EpochEntry(entries.get(0).epoch(), startOffset));
            changed = true;
        }
        if (changed) {
            persist();
        }
    }

    private void persist() {
        StringBuilder sb = new StringBuilder().append("0\n").append(entries.size()).append('\n');
        for (EpochEntry e : entries) {
            sb.append(e.epoch()).append(' ').append(e.startOffset()).append('\n');
        }
        try {
            Fs.atomicWrite(file, sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
