package io.spool.cli;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/** Where {@code spool consume} starts reading a partition. Immutable. */
sealed interface StartPosition {

    /** Moves the consumer's position on {@code partitions}, which it must have assigned. */
    void apply(Consumer<?, ?> consumer, Collection<TopicPartition> partitions);

    /** The first retained record. */
    record Beginning() implements StartPosition {
        @Override
        public void apply(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
            consumer.seekToBeginning(partitions);
        }
    }

    /** The log end: only records written from now on. */
    record End() implements StartPosition {
        @Override
        public void apply(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
            consumer.seekToEnd(partitions);
        }
    }

    /** A given offset in every partition; one outside the log is reset by {@code auto.offset.reset}. */
    record AtOffset(long offset) implements StartPosition {
        @Override
        public void apply(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
            partitions.forEach(tp -> consumer.seek(tp, offset));
        }
    }

    /** The first record with a timestamp at or after the given one; the log end if there is none. */
    record AtTimestamp(long timestampMs) implements StartPosition {
        @Override
        public void apply(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(tp -> query.put(tp, timestampMs));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
            for (TopicPartition tp : partitions) {
                OffsetAndTimestamp at = found.get(tp);
                if (at == null) {
                    consumer.seekToEnd(List.of(tp));
                } else {
                    consumer.seek(tp, at.offset());
                }
            }
        }
    }

    /** The group's committed offset, else {@code auto.offset.reset}: leaves the position alone. */
    record Committed() implements StartPosition {
        @Override
        public void apply(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
            // The consumer fetches the committed offset itself when it first needs a position.
        }
    }

    /** Reads {@code --offset}: a non-negative number, {@code earliest} or {@code latest}. */
    static StartPosition ofOffset(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase("earliest")) {
            return new Beginning();
        }
        if (t.equalsIgnoreCase("latest")) {
            return new End();
        }
        try {
            long offset = Long.parseLong(t);
            if (offset >= 0) {
                return new AtOffset(offset);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw CliException.usage("Invalid --offset '" + text + "': expected a non-negative number, earliest or latest");
    }
}
