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
    static final int UNDEFINED_EPOCH = -1;
    static final long UNDEFINED_EPOCH_OFFSET = -1L;

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

    /** Start offset of {@code epoch}, or -1 if the log holds no batch of that epoch. */
    synchronized long startOffsetOf(int epoch) {
        for (EpochEntry e : entries) {
            if (e.epoch() == epoch) {
                return e.startOffset();
            }
        }
        return UNDEFINED_EPOCH_OFFSET;
    }

    /**
     * OffsetForLeaderEpoch: the end offset of {@code requested} paired with the epoch it answers for.
     *
     * <ul>
     *   <li>-1 (undefined) or a cache without epochs -> (-1, -1)</li>
     *   <li>the latest epoch or above -> (latest, log end offset)</li>
     *   <li>below the earliest known epoch (retention removed all of its data) -> (requested, start offset of the
     *       earliest): whatever the requester holds from there on diverges</li>
     *   <li>otherwise -> (largest epoch {@code <=} requested, start offset of the next higher epoch)</li>
     * </ul>
     *
     * These are Apache Kafka's answers but one: for an epoch above the latest Kafka answers (-1, -1), a case its
     * leaders rule out by recording their epoch when they take over. Here a leader that has not written in its epoch
     * yet answers what it would answer had it recorded it ({@link PartitionLog#maybeAssignEpochStartOffset}): its
     * latest epoch ends at the log end offset.
     */
    synchronized EpochEntry endOffsetFor(int requested, long logEndOffset) {
        if (requested == UNDEFINED_EPOCH || entries.isEmpty()) {
            return new EpochEntry(UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
        }
        int latest = latestEpoch();
        if (requested >= latest) {
            return new EpochEntry(latest, logEndOffset);
        }
        int higher = 0;
        while (entries.get(higher).epoch() <= requested) {
            higher++;
        }
        long end = entries.get(higher).startOffset();
        return higher == 0 ? new EpochEntry(requested, end) : new EpochEntry(entries.get(higher - 1).epoch(), end);
    }

    /** Drops every epoch (the log was emptied and restarts at another offset). */
    synchronized void clear() {
        if (!entries.isEmpty()) {
            entries.clear();
            persist();
        }
    }

    /** Drops epochs that start at or after {@code endOffset} (the log was truncated there); persisted at once. */
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
