package io.spool.it;

import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Watches a group's committed offsets from outside, as an operator's tool would: its own thread asks the cluster
 * (OffsetFetch through an Admin client, answered by whichever node coordinates the group at the time) every 250 ms,
 * and notes every answer lower than an earlier answer for the same partition, across coordinator failovers. An
 * answer that fails (a coordinator moving, a node down) is skipped. Thread-safe.
 */
final class CommittedOffsetsWatcher implements AutoCloseable {
    private final Admin admin;
    private final String group;
    private final Thread thread;
    /** An answer lower than an earlier one ({@code to} is -1 when the offset was gone altogether). */
    record Backwards(TopicPartition partition, long from, long fromNanos, long to, long toNanos, LocalTime at) {
        @Override
        public String toString() {
            return partition + " read as " + from + ", then " + TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos)
                    + " ms later as " + (to < 0 ? "no offset at all" : to) + " (at " + at + ")";
        }
    }

    /** The highest answer so far for a partition, and when it was read. */
    private record Seen(long offset, long nanos) {
    }

    private final Map<TopicPartition, Seen> highest = new HashMap<>();
    private final Queue<Backwards> backwards = new ConcurrentLinkedQueue<>();
    private final AtomicInteger answers = new AtomicInteger();
    private final AtomicInteger unanswered = new AtomicInteger();
    private volatile boolean running = true;

    CommittedOffsetsWatcher(Admin admin, String group) {
        this.admin = admin;
        this.group = group;
        this.thread = new Thread(this::watch, "committed-offsets-" + group);
        thread.start();
    }

    private void watch() {
        while (running) {
            try {
                observe(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS));
                answers.incrementAndGet();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                unanswered.incrementAndGet();
            }
            try {
                // Sampling the offsets at a fixed interval; no event to wait for.
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void observe(Map<TopicPartition, OffsetAndMetadata> offsets) {
        long now = System.nanoTime();
        highest.forEach((partition, seen) -> {
            OffsetAndMetadata committed = offsets.get(partition);
            long offset = committed == null ? -1 : committed.offset();
            if (offset < seen.offset()) {
                backwards.add(new Backwards(partition, seen.offset(), seen.nanos(), offset, now, LocalTime.now()));
            }
        });
        offsets.forEach((partition, committed) -> {
            if (committed != null && committed.offset() > highest.getOrDefault(partition, new Seen(-1, 0)).offset()) {
                highest.put(partition, new Seen(committed.offset(), now));
            }
        });
    }

    /** Every time an answer was lower than an earlier one, or had lost a partition's offset. */
    List<Backwards> backwards() {
        return new ArrayList<>(backwards);
    }

    /** How many times the offsets were read successfully. */
    int answers() {
        return answers.get();
    }

    int unanswered() {
        return unanswered.get();
    }

    @Override
    public void close() {
        stop();
    }

    /** Stops watching; nothing is recorded after it returns. */
    void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(15).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
