package io.spool.it;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A group member in the test JVM: subscribes on its own thread, polls and commits synchronously after each poll
 * that returned records (retrying a failed commit after the next poll), until closed (which leaves the group). For tests that need a live member but not a
 * process to kill. Thread-safe.
 */
final class PollingConsumer implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final AtomicLong consumed = new AtomicLong();
    private final AtomicLong commitFailures = new AtomicLong();
    private final List<Exception> failures = new CopyOnWriteArrayList<>();

    PollingConsumer(String bootstrap, String group, String clientId, String topic, Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(settings);
        all.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        all.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        this.consumer = Clients.consumer(bootstrap, all);
        this.thread = new Thread(() -> run(topic), "polling-" + clientId);
        thread.start();
    }

    private void run(String topic) {
        try {
            consumer.subscribe(List.of(topic));
            boolean uncommitted = false;
            while (true) {
                int n = consumer.poll(Duration.ofMillis(200)).count();
                if (n > 0) {
                    consumed.addAndGet(n);
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
            consumer.close();
        }
    }

    /** Commits the positions; false when a rebalance moved on under the commit, to be retried after the next poll. */
    private boolean commit() {
        try {
            consumer.commitSync();
            return true;
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // A stale epoch or a new generation: the commit after the next poll covers these records too, even when
            // no more records arrive.
            commitFailures.incrementAndGet();
            return false;
        }
    }

    long consumed() {
        return consumed.get();
    }

    /** What ended the poll loop other than {@link #close}. */
    List<Exception> failures() {
        return failures;
    }

    @Override
    public void close() {
        consumer.wakeup();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
