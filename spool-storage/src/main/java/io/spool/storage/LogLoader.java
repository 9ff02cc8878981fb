package io.spool.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a partition directory into a {@link PartitionLog}.
 *
 * <p>After a clean shutdown nothing is scanned: segments are opened (indexes mapped lazily), the log end offset is
 * read from the tail of the active segment (from its last offset index entry) and producer state from the snapshot
 * written at close. After a crash every segment from the one holding the recovery point onwards is re-read with
 * CRC checks and re-indexed; a torn tail is truncated, while corruption below the recovery point or followed by
 * valid data throws {@link CorruptLogException}. Producer state is then rebuilt from the latest snapshot at or
 * below the log end offset plus the batch headers after it. The aborted-transaction indexes of the segments recovery
 * re-reads are emptied first and refilled by that replay, which then starts no later than the first of them (see
 * {@link TransactionIndex}). Stateless.
 */
final class LogLoader {

    static final String PARTITION_METADATA = "partition.metadata";
    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);

    private LogLoader() {
    }

    /** Creates a new empty partition directory and its log. */
    static PartitionLog create(Path dir, TopicPartition tp, Uuid topicId, LogConfig config, Clock clock,
                               FileDeleter deleter) {
        try {
            Files.createDirectories(dir);
            writePartitionMetadata(dir, topicId);
            Fs.fsyncDir(dir.getParent());
        } catch (IOException e) {
            throw new StorageException("cannot create log directory " + dir, e);
        }
        ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
        segments.put(0L, LogSegment.create(dir, 0L, config, clock.millis()));
        return new PartitionLog(tp, topicId, dir, config, clock, deleter, segments, new ProducerStateManager(),
            new LeaderEpochCache(dir), 0L, 0L, 0L);
    }

    /** Loads an existing partition directory. */
    static PartitionLog load(Path dir, TopicPartition tp, LogConfig config, Clock clock, FileDeleter deleter,
                             boolean clean, long recoveryPoint, long logStartCheckpoint) {
        try {
            Uuid topicId = readPartitionMetadata(dir);
            List<Long> swapped = completeSwaps(dir);
            List<Long> bases = listSegmentsAndCleanStrays(dir);
            ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
            long now = clock.millis();
            if (bases.isEmpty()) {
                long base = Math.max(0, logStartCheckpoint);
                segments.put(base, LogSegment.create(dir, base, config, now));
            } else {
                for (int i = 0; i < bases.size(); i++) {
                    boolean last = i == bases.size() - 1;
                    LogSegment segment = LogSegment.open(dir, bases.get(i), config, last, now);
                    if (swapped.contains(bases.get(i))) {
                        segment.rebuildIndexes();
                    }
                    segments.put(bases.get(i), segment);
                }
            }
            LeaderEpochCache epochCache = new LeaderEpochCache(dir);
            long leo;
            if (clean) {
                leo = segments.lastEntry().getValue().readNextOffset();
            } else {
                leo = recover(tp, segments, epochCache, recoveryPoint);
            }
            long logStart = Math.min(Math.max(logStartCheckpoint, segments.firstKey()), leo);
            epochCache.truncateFromEnd(leo);
            epochCache.truncateFromStart(logStart);
            ProducerStateManager producerState = new ProducerStateManager();
            Long firstRecovered = clean ? null : segments.floorKey(recoveryPoint);
            long replayFrom = firstRecovered == null ? leo : Math.max(logStart, firstRecovered);
            rebuildProducerState(dir, segments, producerState, logStart, leo, replayFrom);
            if (!clean) {
                segments.values().forEach(LogSegment::flush);
                Fs.fsyncDir(dir);
            }
            segments.lastEntry().getValue().makeWritable();
            return new PartitionLog(tp, topicId, dir, config, clock, deleter, segments, producerState, epochCache,
                logStart, leo, leo);
        } catch (IOException e) {
            throw new StorageException("cannot load log " + dir, e);
        }
    }

    private static long recover(TopicPartition tp, ConcurrentSkipListMap<Long, LogSegment> segments,
                                LeaderEpochCache epochCache, long recoveryPoint) throws IOException {
        Long startKey = segments.floorKey(recoveryPoint);
        List<LogSegment> toRecover = new ArrayList<>(segments.tailMap(startKey == null ? segments.firstKey()
            : startKey).values());
        long leo = toRecover.get(0).baseOffset();
        for (int i = 0; i < toRecover.size(); i++) {
            LogSegment segment = toRecover.get(i);
            boolean last = i == toRecover.size() - 1;
            segment.txnIndex().reset();
            SegmentRecovery.Outcome outcome = SegmentRecovery.recover(segment,
                h -> epochCache.assign(h.leaderEpoch(), h.baseOffset()));
            leo = Math.max(outcome.nextOffset(), segment.baseOffset());
            if (!outcome.isClean()) {
                boolean laterData = toRecover.subList(i + 1, toRecover.size()).stream().anyMatch(s -> s.size() > 0);
                if (outcome.validDataFollows() || laterData || outcome.nextOffset() < recoveryPoint) {
                    throw new CorruptLogException("Corrupt batch in the middle of " + tp + ", segment "
                        + segment.logFile() + ": " + outcome.reason() + " (recovery point " + recoveryPoint
                        + ", valid data follows: " + (outcome.validDataFollows() || laterData) + ")");
                }
                int removed = segment.truncateToPosition(outcome.invalidPosition(), outcome.nextOffset());
                LOG.warn("Truncated torn tail of {} at offset {}: {} bytes removed ({})", tp, outcome.nextOffset(),
                    removed, outcome.reason());
                for (LogSegment later : toRecover.subList(i + 1, toRecover.size())) {
                    segments.remove(later.baseOffset());
                    later.deleteFiles();
                }
                return leo;
            }
            if (!last) {
                segment.finishIndexes();
            }
        }
        return leo;
    }

    /**
     * Loads the newest valid snapshot at or below {@code leo} into {@code state} (which must be empty), deletes the
     * snapshots above {@code leo} and replays the batch headers from the snapshot (or {@code logStart}) up to
     * {@code leo}. Also used when a follower truncates its log.
     */
    static void rebuildProducerState(Path dir, ConcurrentSkipListMap<Long, LogSegment> segments,
                                     ProducerStateManager state, long logStart, long leo) throws IOException {
        rebuildProducerState(dir, segments, state, logStart, leo, leo);
    }

    /**
     * As {@link #rebuildProducerState(Path, ConcurrentSkipListMap, ProducerStateManager, long, long)}, using only a
     * snapshot at or below {@code replayFrom}, so that every batch from there on is replayed (markers included:
     * their aborted-index entries are appended again where missing).
     */
    static void rebuildProducerState(Path dir, ConcurrentSkipListMap<Long, LogSegment> segments,
                                     ProducerStateManager state, long logStart, long leo, long replayFrom)
        throws IOException {
        List<Long> snapshots = ProducerSnapshotFile.list(dir);
        long from = logStart;
        for (int i = snapshots.size() - 1; i >= 0; i--) {
            long offset = snapshots.get(i);
            Path file = ProducerSnapshotFile.path(dir, offset);
            if (offset > leo) {
                Files.deleteIfExists(file);
            } else if (offset > replayFrom) {
                continue;
            } else if (ProducerSnapshotFile.read(file, state)) {
                from = Math.max(offset, logStart);
                break;
            } else {
                LOG.warn("Deleting corrupt producer snapshot {}", file);
                Files.deleteIfExists(file);
            }
        }
        if (from >= leo) {
            return;
        }
        long start = from;
        Long key = segments.floorKey(start);
        for (LogSegment s : segments.tailMap(key == null ? segments.firstKey() : key).values()) {
            s.forEachBatchFrom(Math.max(start, s.baseOffset()), h -> {
                if (h.baseOffset() < start || h.baseOffset() >= leo) {
                    return;
                }
                if (h.isControl()) {
                    TxnMarkers.apply(state, s, h);
                } else {
                    state.update(h);
                }
            });
        }
    }

    /**
     * Finishes the swaps of cleanings that a crash interrupted (see {@link PartitionLog#replaceSegments}): a
     * {@code N.log.swap} is a complete cleaned segment covering offsets N to its last batch, so every segment whose
     * base offset lies in that range is deleted (unless already renamed for deletion), and the swap file takes the
     * plain name. Its indexes are rebuilt by the caller. Returns the base offsets of the segments swapped in.
     */
    static List<Long> completeSwaps(Path dir) throws IOException {
        List<Long> swapped = new ArrayList<>();
        String swapSuffix = LogSegment.LOG_SUFFIX + LogSegment.SWAP_SUFFIX;
        List<Path> swaps;
        try (Stream<Path> files = Files.list(dir)) {
            swaps = files.filter(p -> p.getFileName().toString().endsWith(swapSuffix)).sorted().toList();
        }
        for (Path swap : swaps) {
            String name = swap.getFileName().toString();
            long base = Long.parseLong(name.substring(0, name.length() - swapSuffix.length()));
            long last = lastOffset(swap, base);
            Path txnSwap = dir.resolve(LogSegment.fileName(base, TransactionIndex.SUFFIX) + LogSegment.SWAP_SUFFIX);
            // Without a swapped aborted index, a plain one at the base is the cleaned segment's, renamed just before
            // the crash (the old segments' entries are all in it), so it stays.
            Path keep = Files.exists(txnSwap) ? null : dir.resolve(LogSegment.fileName(base, TransactionIndex.SUFFIX));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    String other = p.getFileName().toString();
                    int dot = other.indexOf('.');
                    boolean segmentFile = dot == 20 && List.of(LogSegment.LOG_SUFFIX, LogSegment.INDEX_SUFFIX,
                        LogSegment.TIME_INDEX_SUFFIX, TransactionIndex.SUFFIX).contains(other.substring(dot));
                    if (segmentFile && other.chars().limit(20).allMatch(Character::isDigit)) {
                        long otherBase = Long.parseLong(other.substring(0, dot));
                        if (otherBase >= base && otherBase <= last && !p.equals(keep)) {
                            Files.deleteIfExists(p);
                        }
                    }
                }
            }
            if (Files.exists(txnSwap)) {
                Files.move(txnSwap, dir.resolve(LogSegment.fileName(base, TransactionIndex.SUFFIX)));
            }
            Files.move(swap, dir.resolve(LogSegment.fileName(base, LogSegment.LOG_SUFFIX)));
            Fs.fsyncDir(dir);
            LOG.info("Completed the swap of cleaned segment {} (offsets up to {}) into {}", base, last, dir);
            swapped.add(base);
        }
        return swapped;
    }

    /** The last offset of the batches in a segment file, or {@code base} if it has none. */
    private static long lastOffset(Path file, long base) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            long size = channel.size();
            long position = 0;
            long last = base;
            BatchHeader header;
            while ((header = BatchHeader.read(channel, position, size)) != null) {
                last = header.lastOffset();
                position += header.sizeInBytes();
            }
            return last;
        }
    }

    private static List<Long> listSegmentsAndCleanStrays(Path dir) throws IOException {
        List<Long> bases = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(LogSegment.DELETED_SUFFIX) || name.endsWith(LogSegment.CLEANED_SUFFIX)
                    || name.endsWith(LogSegment.SWAP_SUFFIX) || name.endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                } else if (name.endsWith(LogSegment.LOG_SUFFIX)) {
                    bases.add(Long.parseLong(name.substring(0, name.length() - LogSegment.LOG_SUFFIX.length())));
                }
            }
        }
        bases.sort(null);
        return bases;
    }

    static void writePartitionMetadata(Path dir, Uuid topicId) throws IOException {
        String content = "version: 0\ntopic_id: " + topicId + "\n";
        Fs.atomicWrite(dir.resolve(PARTITION_METADATA), content.getBytes(StandardCharsets.UTF_8));
    }

    static Uuid readPartitionMetadata(Path dir) throws IOException {
        Path file = dir.resolve(PARTITION_METADATA);
        if (!Files.exists(file)) {
            return Uuid.ZERO_UUID;
        }
        Map<String, String> fields = new java.util.HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        String id = fields.get("topic_id");
        if (id == null) {
            throw new CorruptLogException("partition metadata " + file + " has no topic_id");
        }
        return Uuid.fromString(id);
    }
}
