package io.spool.it;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A consumer-group member that runs in its own JVM (see {@link MemberProcess}), so that a test can SIGKILL it. It
 * subscribes to one topic and, for every poll, writes each record it processed to its event file and flushes it,
 * then commits the next offsets synchronously and writes the commit. SIGTERM closes it cleanly.
 *
 * <p>Event file, one event a line, each stamped with {@link System#nanoTime()} (Linux's {@code CLOCK_MONOTONIC},
 * shared by every process on the host, so the events of several members can be merged into one timeline):
 * <pre>
 *   R nanos partition offset value    a record processed
 *   C nanos partition offset          a commit of that next offset succeeded
 *   E nanos message                   a commit failed
 *   A|V|L nanos partition,...         partitions assigned, revoked, lost
 *   G nanos memberId                  the member id the group gave it, after each assignment
 *   P nanos                           processed and flushed; pausing before the commit (if asked to)
 * </pre>
 * A member killed while writing leaves an unterminated last line, which readers ignore. Single-threaded but for
 * the shutdown hook, which only wakes the consumer up and waits for the poll loop to close it.
 */
public final class GroupMember {
    static final String PAUSE = "pause.before.commit.ms";

    private final KafkaConsumer<String, String> consumer;
    private final BufferedWriter events;
    private final long pauseBeforeCommitMs;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean running = true;

    private GroupMember(KafkaConsumer<String, String> consumer, BufferedWriter events, long pauseBeforeCommitMs) {
        this.consumer = consumer;
        this.events = events;
        this.pauseBeforeCommitMs = pauseBeforeCommitMs;
    }

    /**
     * Arguments: bootstrap, group id, topic, event file, then consumer settings as {@code key=value}, among which
     * {@value #PAUSE} (not a consumer setting) makes it pause that long between processing and committing, a
     * window in which a test can kill it with records processed but not committed.
     */
    public static void main(String[] args) throws IOException {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, args[1]);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        for (int i = 4; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            props.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        long pause = Long.parseLong((String) props.getOrDefault(PAUSE, "0"));
        props.remove(PAUSE);
        BufferedWriter events = Files.newBufferedWriter(Path.of(args[3]), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        GroupMember member = new GroupMember(new KafkaConsumer<>(props), events, pause);
        Runtime.getRuntime().addShutdownHook(new Thread(member::shutDown, "member-shutdown"));
        member.run(args[2]);
    }

    private void run(String topic) throws IOException {
        try {
            consumer.subscribe(List.of(topic), new Listener());
            while (running) {
                processAndCommit(consumer.poll(Duration.ofMillis(200)));
            }
        } catch (WakeupException e) {
            // SIGTERM: fall through to the clean close.
        } finally {
            consumer.close();
            events.close();
            closed.countDown();
        }
    }

    private void processAndCommit(ConsumerRecords<String, String> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> next = new TreeMap<>(
                (a, b) -> Integer.compare(a.partition(), b.partition()));
        for (ConsumerRecord<String, String> r : records) {
            write("R " + System.nanoTime() + " " + r.partition() + " " + r.offset() + " " + r.value());
            next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        // The processing is durable (for a SIGKILL of this process) before the commit that covers it.
        events.flush();
        if (pauseBeforeCommitMs > 0) {
            write("P " + System.nanoTime());
            events.flush();
            sleep(pauseBeforeCommitMs);
        }
        try {
            consumer.commitSync(next);
            long now = System.nanoTime();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : next.entrySet()) {
                write("C " + now + " " + e.getKey().partition() + " " + e.getValue().offset());
            }
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            write("E " + System.nanoTime() + " " + e.toString().replace('\n', ' '));
        }
        events.flush();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write(String line) throws IOException {
        events.write(line);
        events.write('\n');
    }

    private void shutDown() {
        running = false;
        consumer.wakeup();
        try {
            closed.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records assignment changes; runs inside poll on the member's thread. */
    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            event("A", partitions);
            try {
                write("G " + System.nanoTime() + " " + consumer.groupMetadata().memberId());
                events.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            event("V", partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            event("L", partitions);
        }

        private void event(String kind, Collection<TopicPartition> partitions) {
            String list = partitions.stream().map(TopicPartition::partition).sorted().map(String::valueOf)
                    .collect(Collectors.joining(","));
            try {
                write(kind + " " + System.nanoTime() + " " + (list.isEmpty() ? "-" : list));
                events.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
