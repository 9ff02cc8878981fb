package io.spool.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Polls an already assigned or subscribed consumer and prints records until a stop condition: the end offsets
 * observed at the start are reached (unless following), {@code maxMessages} were printed, no record arrived for
 * {@code idleTimeoutMs}, or the consumer was woken up / the thread interrupted. Records at or past a partition's
 * end offset are not printed when not following, so the output is exactly the log as it was at the start.
 *
 * <p>In a group it commits, for each partition, the offset after the last record it printed (never the consumer's
 * position, which may be past records fetched but not printed): asynchronously after each batch, synchronously
 * when partitions are revoked and at the end. Used by one thread.
 */
final class ConsumeLoop {
    private static final Duration MAX_POLL = Duration.ofMillis(500);

    /** How the loop ended. */
    enum Outcome { REACHED_END, MAX_MESSAGES, IDLE_TIMEOUT, STOPPED, OUTPUT_CLOSED }

    private final Consumer<byte[], byte[]> consumer;
    private final RecordFormatter formatter;
    private final PrintStream out;
    /** The end offsets to stop at, or {@code null} when following. */
    private final Map<TopicPartition, Long> endOffsets;
    private final long maxMessages;
    private final long idleTimeoutMs;
    private final LongSupplier clockMs;
    private final boolean commitPrinted;
    private final Set<TopicPartition> finished = new HashSet<>();
    private final Map<TopicPartition, OffsetAndMetadata> printedOffsets = new HashMap<>();
    private long printed;

    /**
     * @param endOffsets    {@code null} to follow
     * @param maxMessages   {@code Long.MAX_VALUE} for no limit
     * @param idleTimeoutMs {@code Long.MAX_VALUE} for no limit
     * @param commitPrinted whether to commit what was printed (the consumer is in a group)
     */
    ConsumeLoop(Consumer<byte[], byte[]> consumer, RecordFormatter formatter, PrintStream out,
            Map<TopicPartition, Long> endOffsets, long maxMessages, long idleTimeoutMs, LongSupplier clockMs,
            boolean commitPrinted) {
        this.consumer = consumer;
        this.formatter = formatter;
        this.out = out;
        this.endOffsets = endOffsets;
        this.maxMessages = maxMessages;
        this.idleTimeoutMs = idleTimeoutMs;
        this.clockMs = clockMs;
        this.commitPrinted = commitPrinted;
    }

    long printed() {
        return printed;
    }

    Outcome run() {
        Outcome outcome;
        boolean interrupted = false;
        try {
            outcome = poll();
        } catch (WakeupException e) {
            outcome = Outcome.STOPPED;
        } catch (InterruptException e) {
            // Clear the flag the exception set, so the final commit can still talk to the broker.
            interrupted = Thread.interrupted();
            outcome = Outcome.STOPPED;
        }
        out.flush();
        commitSync(List.copyOf(printedOffsets.keySet()));
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return outcome;
    }

    /** Commits what was printed from {@code partitions}; called at the end and when the group revokes them. */
    void commitSync(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata offset = printedOffsets.remove(tp);
            if (offset != null) {
                offsets.put(tp, offset);
            }
        }
        if (!offsets.isEmpty()) {
            consumer.commitSync(offsets);
        }
    }

    private Outcome poll() {
        long lastProgressMs = clockMs.getAsLong();
        while (true) {
            if (maxMessages <= printed) {
                return Outcome.MAX_MESSAGES;
            }
            if (endOffsets != null && reachedEnd()) {
                return Outcome.REACHED_END;
            }
            long idleMs = clockMs.getAsLong() - lastProgressMs;
            if (idleMs >= idleTimeoutMs) {
                return Outcome.IDLE_TIMEOUT;
            }
            ConsumerRecords<byte[], byte[]> records =
                    consumer.poll(Duration.ofMillis(Math.min(MAX_POLL.toMillis(), idleTimeoutMs - idleMs)));
            if (print(records) > 0) {
                lastProgressMs = clockMs.getAsLong();
                if (commitPrinted) {
                    consumer.commitAsync(Map.copyOf(printedOffsets), null);
                }
            }
            out.flush();
            if (out.checkError()) {
                return Outcome.OUTPUT_CLOSED;
            }
        }
    }

    private int print(ConsumerRecords<byte[], byte[]> records) {
        int count = 0;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (printed >= maxMessages) {
                break;
            }
            if (endOffsets != null && record.offset() >= endOffsets.getOrDefault(
                    new TopicPartition(record.topic(), record.partition()), Long.MAX_VALUE)) {
                continue;
            }
            out.println(formatter.format(record));
            if (commitPrinted) {
                printedOffsets.put(new TopicPartition(record.topic(), record.partition()),
                        new OffsetAndMetadata(record.offset() + 1, record.leaderEpoch(), ""));
            }
            printed++;
            count++;
        }
        return count;
    }

    /**
     * Whether every assigned partition's position has reached its end offset; pauses those that have, so no
     * records past the end are fetched. False while nothing is assigned (a group still joining).
     */
    private boolean reachedEnd() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return false;
        }
        for (TopicPartition tp : assigned) {
            if (!finished.contains(tp) && consumer.position(tp) >= endOffsets.getOrDefault(tp, Long.MAX_VALUE)) {
                finished.add(tp);
                consumer.pause(List.of(tp));
            }
        }
        return finished.containsAll(assigned);
    }
}
