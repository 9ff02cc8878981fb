package io.spool.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A consumer-group member in the test JVM that subscribes to one topic on its own thread and, after each poll that
 * returned records, commits the next offsets synchronously; it records every record it processed and every commit
 * it saw succeed, and flags a record processed again although a successful commit of this member had already passed
 * it (which "a committed offset never moves back" forbids). A failed commit is retried after the next poll, so
 * failovers of the group coordinator cost at most redelivery of uncommitted records. Thread-safe to read.
 */
final class RecordingGroupMember implements AutoCloseable {
    /** A record this member processed. */
    record Processed(int partition, long offset, String value) {
    }

    /** A commit this member saw succeed, with its {@link System#nanoTime()}: the next offset to consume. */
    record Commit(long nanos, int partition, long offset) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Thread thread;
    private final Queue<Processed> processed = new ConcurrentLinkedQueue<>();
    private final AtomicInteger processedCount = new AtomicInteger();
    private final Map<Integer, Long> committed = new ConcurrentHashMap<>();
    private final Queue<Commit> commits = new ConcurrentLinkedQueue<>();
    private final Queue<String> redeliveredAfterCommit = new ConcurrentLinkedQueue<>();
    private final Queue<String> commitFailures = new ConcurrentLinkedQueue<>();
    private final Queue<Exception> failures = new ConcurrentLinkedQueue<>();

    RecordingGroupMember(String bootstrap, String group, String topic) {
        this.consumer = Clients.consumer(bootstrap, Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.CLIENT_ID_CONFIG, group + "-member",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000,
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000,
                ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5_000));
        this.topic = topic;
        this.thread = new Thread(this::run, "group-member-" + group);
        thread.start();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic));
            boolean uncommitted = false;
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    onRecord(r);
                    uncommitted = true;
                }
                if (uncommitted) {
                    uncommitted = !commit();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failures.add(e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void onRecord(ConsumerRecord<byte[], byte[]> r) {
        Long passed = committed.get(r.partition());
        if (passed != null && r.offset() < passed) {
            redeliveredAfterCommit.add(r.partition() + "@" + r.offset() + " after a commit of " + passed);
        }
        processed.add(new Processed(r.partition(), r.offset(), new String(r.value(), StandardCharsets.UTF_8)));
        processedCount.incrementAndGet();
    }

    /** Commits the consumer's positions; false when it failed, to be retried after the next poll. */
    private boolean commit() {
        Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
        for (TopicPartition p : consumer.assignment()) {
            positions.put(p, new OffsetAndMetadata(consumer.position(p)));
        }
        try {
            consumer.commitSync(positions, Duration.ofSeconds(15));
            long now = System.nanoTime();
            positions.forEach((p, o) -> {
                committed.merge(p.partition(), o.offset(), Math::max);
                commits.add(new Commit(now, p.partition(), o.offset()));
            });
            return true;
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            // Retriable errors, a rebalance under the commit, a coordinator moving: the next commit covers these.
            commitFailures.add(e.getClass().getSimpleName() + ": " + e.getMessage());
            return false;
        }
    }

    int processedCount() {
        return processedCount.get();
    }

    List<Processed> processed() {
        return new ArrayList<>(processed);
    }

    /** The highest offset this member committed per partition (the next offset to consume). */
    Map<Integer, Long> committed() {
        return Map.copyOf(committed);
    }

    /** Every successful commit, in order. */
    List<Commit> commits() {
        return new ArrayList<>(commits);
    }

    /** Records processed at an offset below one this member had already committed. */
    List<String> redeliveredAfterCommit() {
        return new ArrayList<>(redeliveredAfterCommit);
    }

    List<String> commitFailures() {
        return new ArrayList<>(commitFailures);
    }

    /** What ended the poll loop other than {@link #close}. */
    List<Exception> failures() {
        return new ArrayList<>(failures);
    }

    @Override
    public void close() {
        stop();
    }

    /** Leaves the group (closing the consumer) and waits for the poll loop to end; nothing is recorded after. */
    void stop() {
        if (!thread.isAlive()) {
            return;
        }
        consumer.wakeup();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
