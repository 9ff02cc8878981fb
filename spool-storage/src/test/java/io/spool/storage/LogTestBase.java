package io.spool.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A log manager on a temp dir with a hand-driven clock. */
abstract class LogTestBase {

    static final TopicPartition TP = new TopicPartition("orders", 0);
    static final Uuid TOPIC_ID = new Uuid(42L, 7L);
    static final long NOW = 1_700_000_000_000L;

    @TempDir
    Path logDir;
    final MutableClock clock = new MutableClock(NOW);
    LogManager manager;

    LogManager openManager() {
        manager = LogManager.open(List.of(logDir), clock, tp -> LogConfig.defaults(), new Random(1));
        return manager;
    }

    PartitionLog newLog(LogConfig config) {
        return openManager().getOrCreate(TP, TOPIC_ID, config);
    }

    /** Reopens after a clean close. */
    PartitionLog reopenClean(LogConfig config) {
        manager.close();
        return newLog(config);
    }

    /** Simulates kill -9: the old manager is abandoned without close; a new one opens the same dir. */
    PartitionLog crashAndReopen(LogConfig config) {
        manager.flusher().close();
        manager = LogManager.open(List.of(logDir), clock, tp -> config, new Random(2));
        return manager.get(TP).orElseThrow();
    }

    @AfterEach
    void closeManager() {
        if (manager != null) {
            try {
                manager.close();
            } catch (RuntimeException e) {
                // some tests leave the manager half-broken on purpose
            }
        }
    }
}
