package io.spool.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link PartitionLog} offers its {@link LogCleaner}: the cleanable segments, the swap of a cleaned segment
 * into the log, and the cleaner checkpoint, each guarded against a truncation or deletion during the cleaning.
 *
 * <p>Thread safety: the snapshot, the swap and the checkpoint update hold the state's lock; the checks read volatile
 * fields.
 */
final class LogCleanerHooks {

    private final PartitionLogState state;

    private static final Logger LOG = LoggerFactory.getLogger(LogCleanerHooks.class);

    LogCleanerHooks(PartitionLogState state) {
        this.state = state;
    }

    /**
     * The segments the log cleaner may read, taken under the lock: every segment but the active one, below the high
     * watermark, with what the cleaner needs to know about them. See {@link LogCleaner}.
     */
    CleanableSegments cleanableSegments() {
        state.lock.lock();
        try {
            List<LogSegment> inactive = new ArrayList<>(state.segments.headMap(state.segments.lastKey()).values());
            Map<Long, Long> lastBatches = new HashMap<>();
            Map<Long, Short> epochOnly = new HashMap<>();
            for (ProducerStateManager.ProducerEntry e : state.producerState.entries()) {
                if (!e.batches.isEmpty()) {
                    lastBatches.put(e.producerId, e.batches.peekLast().lastOffset());
                } else {
                    epochOnly.put(e.producerId, e.epoch);
                }
            }
            Map<Long, List<TransactionIndex.Entry>> aborted = new HashMap<>();
            // All segments: an aborted transaction's data may be cleanable while its marker is in the active one.
            for (LogSegment s : state.segments.values()) {
                s.txnIndex().entries().forEach(e -> aborted.computeIfAbsent(e.producerId(), id -> new ArrayList<>())
                    .add(e));
            }
            return new CleanableSegments(inactive, state.segments.lastKey(), state.lastStableOffset,
                state.logStartOffset, state.truncations, lastBatches, epochOnly, aborted, crashReplayStart());
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * Where a crash now would make the log replay its batches into producer state from: the newest producer
     * snapshot at or below the segment holding the recovery point ({@link LogLoader}), or MAX_VALUE when there is
     * none (the replay would then start at the log start). Recovery points only grow, and later snapshots are taken
     * above today's inactive segments, so no later crash replays from below this. 0 when the snapshots cannot be
     * listed: the cleaner then drops no marker.
     */
    private long crashReplayStart() {
        Long segment = state.segments.floorKey(state.recoveryPoint);
        long bound = segment == null ? state.segments.firstKey() : segment;
        try {
            long start = Long.MAX_VALUE;
            for (long snapshot : ProducerSnapshotFile.list(state.dir)) {
                if (snapshot <= bound) {
                    start = snapshot;
                }
            }
            return start;
        } catch (IOException e) {
            LOG.warn("Cannot list the producer snapshots of {}; keeping its transaction markers for now",
                state.topicPartition, e);
            return 0;
        }
    }

    /**
     * Puts {@code cleaned} (staged as {@link LogSegment#CLEANED_SUFFIX}, complete and fsynced) in place of
     * {@code old}, consecutive segments that it covers, unless the log changed under the cleaning: a truncation since
     * {@code truncationsSeen} or one of them deleted. The order on disk makes a crash at any point recoverable (see
     * {@link LogLoader}): cleaned becomes {@code .swap}, the old segments {@code .deleted}, then swap the plain name.
     * Readers in flight keep the old segments' open files until file.delete.delay.ms passes.
     *
     * @return false, with the cleaned files deleted, when the log changed
     */
    boolean replaceSegments(List<LogSegment> old, LogSegment cleaned, long truncationsSeen) {
        state.lock.lock();
        try {
            if (!unchangedSince(truncationsSeen, old)) {
                cleaned.deleteFiles();
                return false;
            }
            cleaned.renameStage(LogSegment.SWAP_SUFFIX);
            Fs.fsyncDir(state.dir);
            old.forEach(LogSegment::renameForDeletion);
            // Durable before the plain name appears: an old segment beside the cleaned one would serve offsets twice.
            Fs.fsyncDir(state.dir);
            cleaned.renameStage("");
            Fs.fsyncDir(state.dir);
            cleaned.setIndexIntervalBytes(state.config.indexIntervalBytes());
            state.segments.put(cleaned.baseOffset(), cleaned);
            for (LogSegment s : old.subList(1, old.size())) {
                state.segments.remove(s.baseOffset());
            }
            state.scheduleDeletion(old);
            return true;
        } catch (IOException e) {
            throw new StorageException("cannot swap cleaned segment into " + state.topicPartition, e);
        } finally {
            state.lock.unlock();
        }
    }

    /** The first offset not yet compacted; the cleaner maps keys from here. */
    long cleanerCheckpoint() {
        return state.cleanerCheckpoint;
    }

    /**
     * Sets the cleaner checkpoint read at start-up. One outside [log start, log end] is stale (a torn tail gone, or
     * a recreated partition) and restarts compaction from the log start: trusting it would leave keys unmapped.
     */
    void initCleanerCheckpoint(long offset) {
        state.cleanerCheckpoint = offset < state.logStartOffset || offset > state.logEndOffset
            ? state.logStartOffset : offset;
    }

    /**
     * True if the log is open, not truncated since {@code truncationsSeen} and still holds every one of
     * {@code expected}: what a cleaning started from them may rely on.
     */
    boolean unchangedSince(long truncationsSeen, List<LogSegment> expected) {
        return !state.closed && state.truncations == truncationsSeen
            && expected.stream().allMatch(s -> state.segments.get(s.baseOffset()) == s);
    }

    /** Records a completed cleaning up to {@code offset}, unless a truncation since {@code truncationsSeen}. */
    void markCleaned(long offset, long truncationsSeen) {
        state.lock.lock();
        try {
            if (state.truncations == truncationsSeen) {
                state.cleanerCheckpoint = offset;
            }
        } finally {
            state.lock.unlock();
        }
    }
}
