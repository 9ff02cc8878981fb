package io.spool.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All partition logs of this node across its log directories.
 *
 * <pre>
 * logDir/
 *   .clean-shutdown                      present only between a clean close and the next open; holds the broker
 *                                        epoch of that close as decimal text (empty when none was known)
 *   recovery-point-offset-checkpoint     per partition: offsets below are fsynced (crash recovery starts here)
 *   log-start-offset-checkpoint          per partition: first offset still visible
 *   replication-offset-checkpoint        per partition: the high watermark (committed below it)
 *   cleaner-offset-checkpoint            per partition: offsets below are compacted ({@link LogCleaner})
 *   orders-0/  orders-1/                 one {@link PartitionLog} each
 *   orders-2.3f2a...-delete/             a deleted partition waiting for in-flight reads to finish
 * </pre>
 *
 * <p>Thread safety: every method may be called from any thread; creation and deletion are synchronized, lookups
 * use a concurrent map.
 */
public final class LogManager implements AutoCloseable {
    /** The metadata log's directory, which lives beside the partitions but is not a partition. */
    public static final String METADATA_LOG_DIR_NAME = "__cluster_metadata-0";
    static final String CLEAN_SHUTDOWN_FILE = ".clean-shutdown";
    static final String DELETE_DIR_SUFFIX = "-delete";
    /** producer.id.expiration.ms default. */
    static final long PRODUCER_ID_EXPIRATION_MS = 24 * 3600_000L;
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);

    private final List<Path> logDirs;
    private final Clock clock;
    private final Random random;
    private final FileDeleter deleter;
    private volatile LogDirFailureHandler failureHandler = (dir, cause) ->
        LOG.error("Log directory {} failed", dir, cause);
    private final GroupCommitFlusher flusher = new GroupCommitFlusher();
    private final Map<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    private final Object checkpointLock = new Object();
    private boolean closed;
    /** The broker epoch every log dir's clean-shutdown marker named at open, or -1; see {@link #open}. */
    private long cleanShutdownBrokerEpoch = Long.MIN_VALUE;
    private volatile java.util.function.LongSupplier brokerEpochAtClose = () -> -1;
    private LogCleaner cleaner;

    private LogManager(List<Path> logDirs, Clock clock, Random random) {
        this.logDirs = List.copyOf(logDirs);
        this.clock = clock;
        this.random = random;
        this.deleter = new FileDeleter(clock);
    }

    /** Loads every partition directory with default configs (the broker applies topic configs on getOrCreate). */
    public static LogManager open(List<Path> logDirs, Clock clock) {
        return open(logDirs, clock, tp -> LogConfig.defaults(), new Random());
    }

    /** Loads every partition directory found in {@code logDirs}; recovers those not cleanly shut down. */
    public static LogManager open(List<Path> logDirs, Clock clock, Function<TopicPartition, LogConfig> configs,
                                  Random random) {
        LogManager manager = new LogManager(logDirs, clock, random);
        for (Path dir : logDirs) {
            manager.loadDir(dir, configs);
        }
        if (manager.cleanShutdownBrokerEpoch == Long.MIN_VALUE) {
            manager.cleanShutdownBrokerEpoch = -1;
        }
        return manager;
    }

    private void loadDir(Path logDir, Function<TopicPartition, LogConfig> configs) {
        try {
            Files.createDirectories(logDir);
            Path marker = logDir.resolve(CLEAN_SHUTDOWN_FILE);
            boolean clean = Files.exists(marker);
            noteCleanShutdownEpoch(clean ? readEpoch(marker) : -1);
            Map<TopicPartition, Long> recoveryPoints = OffsetCheckpointFile.read(
                logDir.resolve(OffsetCheckpointFile.RECOVERY_POINT));
            Map<TopicPartition, Long> logStarts = OffsetCheckpointFile.read(
                logDir.resolve(OffsetCheckpointFile.LOG_START_OFFSET));
            Map<TopicPartition, Long> highWatermarks = OffsetCheckpointFile.read(
                logDir.resolve(OffsetCheckpointFile.HIGH_WATERMARK));
            Map<TopicPartition, Long> cleaned = OffsetCheckpointFile.read(logDir.resolve(OffsetCheckpointFile.CLEANER));
            int loaded = 0;
            try (Stream<Path> children = Files.list(logDir)) {
                for (Path child : (Iterable<Path>) children::iterator) {
                    if (!Files.isDirectory(child)) {
                        continue;
                    }
                    String name = child.getFileName().toString();
                    if (name.endsWith(DELETE_DIR_SUFFIX)) {
                        Fs.deleteRecursively(child);
                        continue;
                    }
                    if (name.equals(METADATA_LOG_DIR_NAME)) {
                        // The metadata quorum's own log (Ratis) shares the log dir, as in Kafka; never ours to load.
                        continue;
                    }
                    TopicPartition tp = parseDirName(name);
                    if (tp == null) {
                        LOG.warn("Ignoring unexpected directory {}", child);
                        continue;
                    }
                    PartitionLog log = LogLoader.load(child, tp, configs.apply(tp), clock, deleter, clean,
                        recoveryPoints.getOrDefault(tp, 0L), logStarts.getOrDefault(tp, 0L));
                    // Committed before the stop; a replicated partition's leader must not expose more until its
                    // followers confirm it, and a single replica raises it again to what is durable.
                    log.updateHighWatermark(highWatermarks.getOrDefault(tp, 0L));
                    log.initCleanerCheckpoint(cleaned.getOrDefault(tp, 0L));
                    register(tp, log);
                    loaded++;
                }
            }
            Files.deleteIfExists(marker);
            Fs.fsyncDir(logDir);
            // Without partitions there was nothing to recover: a new log dir is not an unclean shutdown.
            LOG.info("Loaded {} ({})", logDir, loaded == 0 ? "no partitions yet"
                : loaded + " partitions, " + (clean ? "clean" : "unclean") + " shutdown");
        } catch (IOException e) {
            throw new StorageException("cannot load log directory " + logDir, e);
        }
    }

    /**
     * The broker epoch this node had when it last stopped cleanly, as Kafka's clean-shutdown file records it
     * (KIP-966): the epoch named by the marker of every log dir, or -1 if a log dir was not shut down cleanly, the
     * markers disagree or one names none. The broker sends it as PreviousBrokerEpoch when it registers.
     */
    public long cleanShutdownBrokerEpoch() {
        return cleanShutdownBrokerEpoch;
    }

    /** Where {@link #close} reads the broker epoch it records in the clean-shutdown markers. */
    public void recordBrokerEpochAtClose(java.util.function.LongSupplier brokerEpoch) {
        this.brokerEpochAtClose = brokerEpoch;
    }

    private void noteCleanShutdownEpoch(long epoch) {
        if (cleanShutdownBrokerEpoch == Long.MIN_VALUE) {
            cleanShutdownBrokerEpoch = epoch;
        } else if (cleanShutdownBrokerEpoch != epoch) {
            cleanShutdownBrokerEpoch = -1;
        }
    }

    /** The epoch a clean-shutdown marker names, or -1 for an empty or unreadable one (it still marks a clean stop). */
    private static long readEpoch(Path marker) {
        try {
            String text = Files.readString(marker).trim();
            return text.isEmpty() ? -1 : Long.parseLong(text);
        } catch (IOException | NumberFormatException e) {
            LOG.warn("Unreadable broker epoch in {}", marker, e);
            return -1;
        }
    }

    /** Parses {@code <topic>-<partition>}; null if the name is not a partition directory. */
    static TopicPartition parseDirName(String name) {
        int dash = name.lastIndexOf('-');
        if (dash <= 0 || dash == name.length() - 1) {
            return null;
        }
        try {
            int partition = Integer.parseInt(name.substring(dash + 1));
            return partition < 0 ? null : new TopicPartition(name.substring(0, dash), partition);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The log of {@code tp}, created on the log dir holding the fewest partitions if absent; an existing log takes
     * {@code config}. Throws IllegalStateException if the existing log belongs to another topic id.
     */
    public synchronized PartitionLog getOrCreate(TopicPartition tp, Uuid topicId, LogConfig config) {
        PartitionLog existing = logs.get(tp);
        if (existing != null) {
            if (!existing.topicId().equals(topicId) && !existing.topicId().equals(Uuid.ZERO_UUID)) {
                throw new IllegalStateException("log of " + tp + " has topic id " + existing.topicId()
                    + ", not " + topicId);
            }
            if (!existing.config().equals(config)) {
                existing.updateConfig(config);
            }
            return existing;
        }
        if (closed) {
            throw new IllegalStateException("log manager is closed");
        }
        Path dir = leastLoadedDir().resolve(tp.topic() + "-" + tp.partition());
        PartitionLog log = LogLoader.create(dir, tp, topicId, config, clock, deleter);
        register(tp, log);
        return log;
    }

    private void register(TopicPartition tp, PartitionLog log) {
        Path logDir = log.dir().getParent();
        log.setCheckpointer(() -> writeCheckpointFiles(logDir));
        log.setFailureHandler(this::reportFailure);
        // A failed fsync reports itself to the failure handler; nobody waits on this one.
        log.setRollFlusher(base -> flusher.awaitDurable(log, base));
        logs.put(tp, log);
    }

    private Path leastLoadedDir() {
        Map<Path, Integer> counts = new HashMap<>();
        logDirs.forEach(d -> counts.put(d, 0));
        logs.values().forEach(l -> counts.computeIfPresent(l.dir().getParent(), (d, n) -> n + 1));
        Path best = logDirs.get(0);
        for (Path d : logDirs) {
            if (counts.get(d) < counts.get(best)) {
                best = d;
            }
        }
        return best;
    }

    public Optional<PartitionLog> get(TopicPartition tp) {
        return Optional.ofNullable(logs.get(tp));
    }

    public Collection<PartitionLog> all() {
        return List.copyOf(logs.values());
    }

    /**
     * Removes the partition: its directory is renamed to {@code <topic>-<partition>.<random>-delete} at once and
     * removed after file.delete.delay.ms, so reads in flight still complete.
     */
    public synchronized void delete(TopicPartition tp) {
        PartitionLog log = logs.remove(tp);
        if (log == null) {
            return;
        }
        log.markRemoved();
        Path dir = log.dir();
        // Its checkpoint entries go now: a partition recreated before the next periodic write must not inherit them.
        writeCheckpointFiles(dir.getParent());
        Path target = dir.resolveSibling(dir.getFileName() + "." + Long.toHexString(random.nextLong())
            + Long.toHexString(random.nextLong()) + DELETE_DIR_SUFFIX);
        try {
            Files.move(dir, target);
            Fs.fsyncDir(dir.getParent());
        } catch (IOException e) {
            throw new StorageException("cannot rename " + dir + " for deletion", e);
        }
        deleter.schedule(log.config().fileDeleteDelayMs(), target.toString(), () -> {
            log.closeHandles();
            try {
                Fs.deleteRecursively(target);
            } catch (IOException e) {
                throw new StorageException("cannot delete " + target, e);
            }
        });
        LOG.info("Deleted log of {} (directory {} removed later)", tp, target);
    }

    /** Startup reconciliation: deletes logs whose partition is not in {@code live} or whose topic id differs. */
    public synchronized void retainOnly(Map<TopicPartition, Uuid> live) {
        for (PartitionLog log : List.copyOf(logs.values())) {
            Uuid id = live.get(log.topicPartition());
            if (id == null || !id.equals(log.topicId())) {
                delete(log.topicPartition());
            }
        }
    }

    /** Starts compacting the logs of compacted topics in the background (see {@link LogCleaner}). */
    public synchronized void startCleaner(LogCleaner.Settings settings) {
        if (cleaner == null && !closed) {
            cleaner = new LogCleaner(() -> List.copyOf(logs.values()), settings, clock);
            cleaner.start();
        }
    }

    /**
     * Periodic housekeeping: roll by segment.ms, retention, segments below a raised log start offset, producer
     * expiry, deferred deletes, checkpoints.
     */
    public void runRetentionAndRoll() {
        for (PartitionLog log : all()) {
            try {
                log.maybeRollByTime();
                log.deleteOldSegments();
                log.deleteSegmentsBelowLogStart();
                log.removeExpiredProducers(PRODUCER_ID_EXPIRATION_MS);
            } catch (StorageException e) {
                LOG.error("Retention of {} failed", log.topicPartition(), e);
                log.reportFailure(e);
            } catch (RuntimeException e) {
                LOG.error("Retention of {} failed", log.topicPartition(), e);
            }
        }
        deleter.runDue();
        writeCheckpoints();
    }

    /** Advances each log's recovery point, then writes the recovery point and log start offset of every log. */
    public synchronized void writeCheckpoints() {
        if (!closed) {
            logs.values().forEach(PartitionLog::advanceRecoveryPoint);
        }
        for (Path dir : logDirs) {
            writeCheckpointFiles(dir);
        }
    }

    /**
     * Writes the checkpoints of one log dir from the logs' current offsets. Also called by a log that was just
     * truncated, under its append lock: so this takes no log's lock, only {@link #checkpointLock}, which keeps a
     * writer that read older offsets from replacing the file after a newer one.
     */
    private void writeCheckpointFiles(Path dir) {
        synchronized (checkpointLock) {
            Map<TopicPartition, Long> recovery = new HashMap<>();
            Map<TopicPartition, Long> starts = new HashMap<>();
            Map<TopicPartition, Long> highWatermarks = new HashMap<>();
            Map<TopicPartition, Long> cleaned = new HashMap<>();
            for (PartitionLog log : logs.values()) {
                if (log.dir().getParent().equals(dir)) {
                    recovery.put(log.topicPartition(), log.recoveryPoint());
                    starts.put(log.topicPartition(), log.logStartOffset());
                    highWatermarks.put(log.topicPartition(), log.highWatermark());
                    if (log.cleanerCheckpoint() > 0) {
                        cleaned.put(log.topicPartition(), log.cleanerCheckpoint());
                    }
                }
            }
            try {
                OffsetCheckpointFile.write(dir.resolve(OffsetCheckpointFile.RECOVERY_POINT), recovery);
                OffsetCheckpointFile.write(dir.resolve(OffsetCheckpointFile.LOG_START_OFFSET), starts);
                OffsetCheckpointFile.write(dir.resolve(OffsetCheckpointFile.HIGH_WATERMARK), highWatermarks);
                OffsetCheckpointFile.write(dir.resolve(OffsetCheckpointFile.CLEANER), cleaned);
            } catch (IOException e) {
                StorageException failure = new StorageException("cannot write checkpoints in " + dir, e);
                reportFailure(dir, failure);
                throw failure;
            }
        }
    }

    /**
     * Sets what happens when a log directory fails (see {@link LogDirFailureHandler}); until then a failure is only
     * logged. The broker sets it once, before it serves.
     */
    public void onLogDirFailure(LogDirFailureHandler handler) {
        this.failureHandler = handler;
    }

    private void reportFailure(Path logDir, StorageException cause) {
        failureHandler.onLogDirFailure(logDir, cause);
    }

    public GroupCommitFlusher flusher() {
        return flusher;
    }

    int pendingDeletes() {
        return deleter.pendingCount();
    }

    /** Flushes and closes every log, writes checkpoints, then the clean-shutdown marker of each log dir. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (cleaner != null) {
            cleaner.close();
        }
        flusher.close();
        List<RuntimeException> failures = new ArrayList<>();
        for (PartitionLog log : logs.values()) {
            try {
                log.close();
            } catch (RuntimeException e) {
                failures.add(e);
                LOG.error("Closing {} failed", log.topicPartition(), e);
            }
        }
        writeCheckpoints();
        deleter.runAll();
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        for (Path dir : logDirs) {
            try {
                long epoch = brokerEpochAtClose.getAsLong();
                Files.writeString(dir.resolve(CLEAN_SHUTDOWN_FILE), epoch < 0 ? "" : Long.toString(epoch));
                Fs.fsyncDir(dir);
            } catch (IOException e) {
                throw new StorageException("cannot write clean shutdown marker in " + dir, e);
            }
        }
    }
}
