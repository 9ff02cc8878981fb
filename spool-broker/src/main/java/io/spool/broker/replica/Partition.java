package io.spool.broker.replica;

import io.spool.storage.PartitionLog;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * A partition this node leads: its log, its leader epoch, and the fetches waiting for its high watermark to move.
 * The epoch is written by the metadata thread and read by request threads; waiters are a concurrent list.
 */
public final class Partition {
    private final PartitionLog log;
    private final List<Runnable> hwWaiters = new CopyOnWriteArrayList<>();
    private volatile int leaderEpoch;
    private volatile int leaderId;

    Partition(PartitionLog log, int leaderId, int leaderEpoch) {
        this.log = log;
        this.leaderId = leaderId;
        this.leaderEpoch = leaderEpoch;
    }

    public PartitionLog log() {
        return log;
    }

    public TopicPartition topicPartition() {
        return log.topicPartition();
    }

    public Uuid topicId() {
        return log.topicId();
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    public int leaderId() {
        return leaderId;
    }

    void updateLeadership(int leaderId, int leaderEpoch) {
        this.leaderId = leaderId;
        this.leaderEpoch = leaderEpoch;
    }

    /** Raises the high watermark to {@code offset} if that is higher, and wakes the fetches waiting on it. */
    void maybeAdvanceHighWatermark(long offset) {
        synchronized (this) {
            if (offset <= log.highWatermark()) {
                return;
            }
            log.updateHighWatermark(offset);
        }
        for (Runnable waiter : hwWaiters) {
            waiter.run();
        }
    }

    public void watchHighWatermark(Runnable waiter) {
        hwWaiters.add(waiter);
    }

    public void unwatchHighWatermark(Runnable waiter) {
        hwWaiters.remove(waiter);
    }
}
