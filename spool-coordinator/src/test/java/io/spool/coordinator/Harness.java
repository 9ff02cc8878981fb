package io.spool.coordinator;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;

/** A coordinator over one loaded partition with a manual clock, manual timer and in-memory log. */
final class Harness {

    static final Uuid FOO_ID = new Uuid(1, 1);
    static final Uuid BAR_ID = new Uuid(2, 2);

    final ManualClock clock = new ManualClock(1_000_000L);
    final ManualTimer timer = new ManualTimer(clock);
    final InMemoryRecordLog log = new InMemoryRecordLog();
    GroupCoordinatorConfig config;
    TopicsMetadata topics = TopicsMetadata.of(List.of(new TopicInfo("foo", FOO_ID, 6),
        new TopicInfo("bar", BAR_ID, 3)));
    GroupCoordinator coordinator;
    final long seed;

    Harness() {
        this(GroupCoordinatorConfig.defaults().withOffsetsTopicPartitions(1), 42);
    }

    Harness(GroupCoordinatorConfig config, long seed) {
        this.config = config;
        this.seed = seed;
        this.coordinator = fresh();
        coordinator.loadPartition(0, List.of());
    }

    GroupCoordinator fresh() {
        return new GroupCoordinator(config, log, timer, clock, new Random(seed), () -> topics);
    }

    /** A new coordinator that replays what is durable in the log, as a new leader would. */
    GroupCoordinator reload() {
        GroupCoordinator c = new GroupCoordinator(config, log, new ManualTimer(clock), clock, new Random(seed + 1),
            () -> topics);
        for (int p = 0; p < config.offsetsTopicPartitions(); p++) {
            c.loadPartition(p, log.records(p), log.openTransactions(p));
        }
        return c;
    }

    static <T> T done(CompletableFuture<T> f) {
        if (!f.isDone()) {
            throw new AssertionError("response is not complete");
        }
        return f.join();
    }
}
