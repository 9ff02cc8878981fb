package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Streams with {@code exactly_once_v2} against Spool: a {@link WordCountApp} in its own JVM counts the words of
 * lines written by an idempotent producer, in total and per tumbling window, while the test SIGKILLs and restarts the
 * app mid-stream and then SIGKILLs and restarts Spool under it. Read {@code read_committed}, each count's updates are
 * exactly 1, 2, 3, ... up to the number of times its word occurs in the input: nothing lost, nothing counted twice,
 * no update of an aborted transaction visible.
 */
class StreamsExactlyOnceIT {
    private static final String GUARANTEE = StreamsConfig.EXACTLY_ONCE_V2;
    private static final Duration AWAIT = Duration.ofSeconds(90);
    private static final int LINES = 6_000;
    private static final int BATCHES = 3;
    private static final int WORDS_PER_LINE = 3;
    private static final int LINES_PER_WINDOW = 500;
    private static final long WINDOW_MS = WordCountApp.WINDOW_SECONDS * 1000L;
    private static final List<String> VOCABULARY = List.of("alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
            "golf", "hotel", "india", "juliett", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec",
            "romeo", "sierra", "tango");

    @TempDir
    Path dir;
    SpoolProcess spool;
    WordCountProcess app;

    @AfterEach
    void tearDown() throws IOException {
        if (app != null) {
            app.close();
            Files.copy(app.log(), Path.of("target", "StreamsExactlyOnceIT-word-count.log"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        if (spool != null) {
            spool.close();
            spool.keepLog("StreamsExactlyOnceIT");
        }
    }

    @Test
    void shouldCountEveryWordExactlyOnceWhenTheAppAndSpoolAreKilledMidStream() throws Exception {
        spool = SpoolProcess.start(dir.resolve("spool"));
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(WordCountApp.INPUT, 2, (short) 1),
                    new NewTopic(WordCountApp.COUNTS, 2, (short) 1),
                    new NewTopic(WordCountApp.WINDOWED, 2, (short) 1))).all().get();
        }
        List<String> lines = lines(new Random(20261124L));
        long firstWindow = System.currentTimeMillis() / WINDOW_MS * WINDOW_MS;
        int batch = LINES / BATCHES;
        app = WordCountProcess.start(dir.resolve("app"), spool.bootstrap(), GUARANTEE);
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(spool.bootstrap(), Map.of());
                CommittedCounts output = new CommittedCounts(spool.bootstrap())) {
            send(producer, lines, 0, batch, firstWindow);
            awaitOutput(output, "first committed counts", () -> output.updates() >= batch);

            send(producer, lines, batch, 2 * batch, firstWindow);
            long before = output.updates();
            awaitOutput(output, "committed counts of the second batch", () -> output.updates() >= before + batch / 2);
            app.kill();
            System.out.println("StreamsExactlyOnceIT: app killed at " + output.updates() + " of "
                    + 2 * WORDS_PER_LINE * 2 * batch + " committed count updates");
            app.restart();

            long beforeSpoolKill = output.updates();
            awaitOutput(output, "committed counts after the app restarted",
                    () -> output.updates() >= beforeSpoolKill + batch / 2);
            spool.kill();
            System.out.println("StreamsExactlyOnceIT: Spool killed at " + output.updates() + " of "
                    + 2 * WORDS_PER_LINE * 2 * batch + " committed count updates");
            spool.restart();

            send(producer, lines, 2 * batch, LINES, firstWindow);
            Map<String, Long> expectedCounts = expectedCounts(lines);
            Map<String, Long> expectedWindowed = expectedWindowedCounts(lines, firstWindow);
            awaitOutput(output, "every count at its final value",
                    () -> output.reached(WordCountApp.COUNTS, expectedCounts)
                    && output.reached(WordCountApp.WINDOWED, expectedWindowed));
            output.drain();

            assertCountsAreOneToN(output.updates(WordCountApp.COUNTS), expectedCounts);
            assertCountsAreOneToN(output.updates(WordCountApp.WINDOWED), expectedWindowed);
        }
    }

    /** Random lines of {@value #WORDS_PER_LINE} words from {@link #VOCABULARY}. */
    private static List<String> lines(Random random) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < LINES; i++) {
            List<String> words = new ArrayList<>();
            for (int w = 0; w < WORDS_PER_LINE; w++) {
                words.add(VOCABULARY.get(random.nextInt(VOCABULARY.size())));
            }
            lines.add(String.join(" ", words));
        }
        return lines;
    }

    /** Line {@code i} is timestamped in window {@code i / LINES_PER_WINDOW}, counting from {@code firstWindow}. */
    private static long timestamp(int line, long firstWindow) {
        return firstWindow + line / LINES_PER_WINDOW * WINDOW_MS;
    }

    /** Sends lines {@code from} (inclusive) to {@code to} (exclusive), keyed by their index, and waits for the acks. */
    private static void send(KafkaProducer<byte[], byte[]> producer, List<String> lines, int from, int to,
            long firstWindow) {
        for (int i = from; i < to; i++) {
            producer.send(new ProducerRecord<>(WordCountApp.INPUT, null, timestamp(i, firstWindow),
                    ("line-" + i).getBytes(StandardCharsets.UTF_8), lines.get(i).getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
    }

    private static Map<String, Long> expectedCounts(List<String> lines) {
        Map<String, Long> counts = new TreeMap<>();
        for (String line : lines) {
            for (String word : line.split(" ")) {
                counts.merge(word, 1L, Long::sum);
            }
        }
        return counts;
    }

    private static Map<String, Long> expectedWindowedCounts(List<String> lines, long firstWindow) {
        Map<String, Long> counts = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            for (String word : lines.get(i).split(" ")) {
                counts.merge(word + "@" + timestamp(i, firstWindow), 1L, Long::sum);
            }
        }
        return counts;
    }

    /** Polls the output until {@code condition} holds, failing at once if the app's JVM has exited. */
    private void awaitOutput(CommittedCounts output, String what, BooleanSupplier condition) {
        String alias = what + " (see " + app.log() + ", kept as target/StreamsExactlyOnceIT-word-count.log)";
        await(alias).atMost(AWAIT).pollInterval(Duration.ofMillis(10)).until(() -> {
            assertThat(app.isAlive()).as("word count app alive; see %s", app.log()).isTrue();
            output.poll();
            return condition.getAsBoolean();
        });
    }

    private static void assertCountsAreOneToN(Map<String, List<Long>> updates, Map<String, Long> expected) {
        assertThat(updates.keySet()).as("counted keys").containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((key, count) -> assertThat(updates.get(key)).as("updates of the count of %s", key)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, count).boxed().toList()));
    }
}
