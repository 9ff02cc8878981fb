package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.awaitility.Awaitility;

/**
 * One idempotent {@code acks=all} kafka-clients producer writing from its own thread, at a fixed rate, to every
 * partition of a topic in turn, until stopped; it remembers where each acknowledged record landed. Each record's
 * value is {@code <partition>-<sequence>-<padding>}, its sequence counting the records sent to that partition, so
 * a reader can tell the producer's order from the log's. Failovers are the broker's business and the client's
 * retries: a send that still fails (its delivery timeout ran out, or a fatal error) is kept in {@link #failures}
 * and its record may or may not be in the log. Start and stop from one thread; the rest may be read from any.
 */
final class ContinuousProducer implements AutoCloseable {
    /** An acknowledged record: where the broker said it is, and what it holds. */
    record Acked(int partition, long offset, long sequence, String value) {
    }

    /** A send the producer gave up on, and whether Kafka calls its error retriable. */
    record Failure(int partition, long sequence, Exception error, boolean retriable) {
    }

    /** How many records may be sent and not yet answered; beyond it the thread waits for answers. */
    private static final int MAX_UNANSWERED = 500;
    private static final String PADDING = "x".repeat(80);

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int partitions;
    private final long nanosPerRecord;
    private final Semaphore unanswered = new Semaphore(MAX_UNANSWERED);
    private final Queue<Acked> acked = new ConcurrentLinkedQueue<>();
    private final AtomicInteger ackedCount = new AtomicInteger();
    private final AtomicLongArray ackedPerPartition;
    /** Per partition, the {@link System#nanoTime()} of its last acknowledgment (0 before the first). */
    private final AtomicLongArray lastAckNanos;
    private final AtomicLongArray longestGapNanos;
    private final Queue<Failure> failures = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long sent;

    /** Starts writing {@code recordsPerSecond} records a second over the {@code partitions} of {@code topic}. */
    ContinuousProducer(String bootstrap, String topic, int partitions, int recordsPerSecond) {
        this.producer = Clients.producer(bootstrap, Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 90_000,
                ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100,
                ProducerConfig.METADATA_MAX_AGE_CONFIG, 5_000,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5));
        this.topic = topic;
        this.partitions = partitions;
        this.nanosPerRecord = TimeUnit.SECONDS.toNanos(1) / recordsPerSecond;
        this.ackedPerPartition = new AtomicLongArray(partitions);
        this.lastAckNanos = new AtomicLongArray(partitions);
        this.longestGapNanos = new AtomicLongArray(partitions);
        this.thread = new Thread(this::produce, "continuous-producer-" + topic);
        thread.start();
    }

    private void produce() {
        long[] sequences = new long[partitions];
        long start = System.nanoTime();
        try {
            for (long i = 0; running; i++) {
                // Pacing, so that four JVMs on two cores leave the brokers time to fail over.
                long due = start + i * nanosPerRecord;
                for (long wait = due - System.nanoTime(); wait > 0 && running; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                int partition = (int) (i % partitions);
                long sequence = sequences[partition]++;
                String value = partition + "-" + sequence + "-" + PADDING;
                unanswered.acquire();
                producer.send(new ProducerRecord<>(topic, partition, bytes(Long.toString(sequence)), bytes(value)),
                        (metadata, error) -> {
                            if (error == null) {
                                acked.add(new Acked(partition, metadata.offset(), sequence, value));
                                ackedCount.incrementAndGet();
                                onAcked(partition);
                            } else {
                                failures.add(new Failure(partition, sequence, error,
                                        error instanceof RetriableException));
                            }
                            unanswered.release();
                        });
                sent = i + 1;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failures.add(new Failure(-1, -1, e, false));
        }
    }

    /** Counts an acknowledgment on the producer's I/O thread, the only writer of these arrays. */
    private void onAcked(int partition) {
        long now = System.nanoTime();
        long last = lastAckNanos.getAndSet(partition, now);
        if (last != 0 && now - last > longestGapNanos.get(partition)) {
            longestGapNanos.set(partition, now - last);
        }
        ackedPerPartition.incrementAndGet(partition);
    }

    /** Records acknowledged so far on {@code partition}. */
    long ackedCount(int partition) {
        return ackedPerPartition.get(partition);
    }

    /**
     * The longest time, in milliseconds, between two consecutive acknowledgments on one partition: how long the
     * producer stalled at worst (the pacing alone leaves {@code partitions} records' worth of time between them).
     */
    long longestStallMillis() {
        long longest = 0;
        for (int p = 0; p < partitions; p++) {
            longest = Math.max(longest, longestGapNanos.get(p));
        }
        return TimeUnit.NANOSECONDS.toMillis(longest);
    }

    /** Records acknowledged so far. */
    int ackedCount() {
        return ackedCount.get();
    }

    long sent() {
        return sent;
    }

    /** Stops sending and waits until every record sent is acknowledged or has failed. */
    void stop() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping the producer", e);
        }
        producer.flush();
    }

    /** Every acknowledged record; complete once {@link #stop} returned. */
    List<Acked> acked() {
        return new ArrayList<>(acked);
    }

    List<Failure> failures() {
        return new ArrayList<>(failures);
    }

    /**
     * Waits until at least {@code count} records are acknowledged in all, failing at once on a fatal producer error
     * and after {@code limit} otherwise; {@code what} names the wait in the failure.
     */
    void awaitAcked(long count, String what, Duration limit) {
        Awaitility.await(what).atMost(limit).pollInterval(Duration.ofMillis(20)).until(() -> {
            assertThat(fatalFailures()).as("fatal producer errors").isEmpty();
            return ackedCount() >= count;
        });
    }

    /** The sends that failed with an error Kafka does not call retriable: a fatal producer error. */
    List<Failure> fatalFailures() {
        return failures.stream().filter(f -> !f.retriable()).toList();
    }

    @Override
    public void close() {
        if (running) {
            stop();
        }
        producer.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
