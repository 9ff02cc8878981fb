package io.spool.storage;

import static io.spool.storage.TestBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class GroupCommitFlusherTest extends LogTestBase {

    @Test
    void shouldCompleteWaitersOnFlusherThreadOnceOffsetIsFsynced() throws Exception {
        PartitionLog log = newLog(LogConfig.defaults());
        String[] thread = new String[1];
        // waiting before the append: a waiter whose fsync could finish before thenRun is attached would run it here
        CompletableFuture<Void> f = manager.flusher().awaitDurable(log, 3)
            .thenRun(() -> thread[0] = Thread.currentThread().getName());

        log.appendAsLeader(batch(NOW, 3), 0);

        f.get(5, TimeUnit.SECONDS);
        assertThat(log.flushedOffset()).isGreaterThanOrEqualTo(3);
        assertThat(thread[0]).isEqualTo("spool-flusher");
    }

    @Test
    void shouldKeepRecoveryPointOutOfTheActiveSegmentWhoseIndexesAreNotSynced() {
        PartitionLog log = newLog(LogConfig.defaults().withSegmentBytes(200));
        log.appendAsLeader(batch(NOW, 3), 0);
        log.flush();
        assertThat(log.flushedOffset()).isEqualTo(3);

        manager.writeCheckpoints();
        assertThat(log.recoveryPoint()).as("the active segment is re-read after a crash").isZero();

        log.appendAsLeader(batch(NOW, 3), 0);
        log.flush();
        manager.writeCheckpoints();
        assertThat(log.recoveryPoint()).as("up to the rolled segment, whose indexes were synced").isEqualTo(3);
    }

    @Test
    void shouldCoalesceManyWaitersIntoFewFsyncs() throws Exception {
        openManager();
        PartitionLog a = manager.getOrCreate(new TopicPartition("a", 0), TOPIC_ID, LogConfig.defaults());
        PartitionLog b = manager.getOrCreate(new TopicPartition("b", 0), TOPIC_ID, LogConfig.defaults());
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            PartitionLog log = i % 2 == 0 ? a : b;
            AppendResult r = log.appendAsLeader(batch(NOW, 1), 0);
            futures.add(manager.flusher().awaitDurable(log, r.lastOffset() + 1));
        }

        CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);

        assertThat(a.flushedOffset()).isEqualTo(100);
        assertThat(b.flushedOffset()).isEqualTo(100);
        assertThat(manager.flusher().fsyncs()).isLessThan(200);
    }

    @Test
    void shouldCompleteImmediatelyWhenOffsetIsAlreadyDurable() {
        PartitionLog log = newLog(LogConfig.defaults());
        log.appendAsLeader(batch(NOW, 2), 0);
        log.flush();

        assertThat(manager.flusher().awaitDurable(log, 2)).isCompleted();
    }
}
