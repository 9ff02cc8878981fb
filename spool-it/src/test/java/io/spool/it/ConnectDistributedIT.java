package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Connect in distributed mode against Spool: its config, offset and status topics on Spool, a FileStreamSource
 * copying the lines of a file to a topic and a FileStreamSink copying that topic to another file. Every line written
 * to the input file reaches the output file exactly once and in order, across a clean restart of the worker (its
 * offsets flushed on stop) and across a SIGKILL and restart of the Spool node under the running worker.
 */
class ConnectDistributedIT {
    private static final Duration AWAIT = Duration.ofSeconds(60);
    private static final String TOPIC = "lines";
    private static final String GROUP = "connect-it";
    private static final String SOURCE = "lines-source";
    private static final String SINK = "lines-sink";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    SpoolProcess spool;
    ConnectWorker worker;
    Path input;
    Path output;
    final List<String> written = new ArrayList<>();

    @AfterEach
    void tearDown(TestInfo test) {
        if (worker != null) {
            worker.close();
        }
        if (spool != null) {
            spool.close();
            spool.keepLog("ConnectDistributedIT-" + test.getTestMethod().orElseThrow().getName());
        }
    }

    @Test
    void shouldCopyEveryLineExactlyOnceInOrderAcrossACleanWorkerRestart() throws Exception {
        startPipeline(Map.of());
        appendLines(0, 200);
        awaitOutputHoldsEverything();

        worker.stop();
        appendLines(200, 400);
        worker.close();
        worker = ConnectWorker.start(spool.bootstrap(), GROUP, Map.of());
        awaitRunning();
        appendLines(400, 500);

        awaitOutputHoldsEverything();
    }

    @Test
    void shouldCopyEveryLineExactlyOnceInOrderWhenSpoolIsKilledUnderTheWorker() throws Exception {
        // Connect is at-least-once by default, and two of its defaults would duplicate lines here whatever the
        // broker: its source producers are not idempotent (a batch appended before the kill but not acknowledged is
        // appended again by the retry), and a worker that cannot reach its group coordinator for
        // heartbeat.interval.ms (3 s) revokes its own tasks, which then redo what they had not committed. With
        // idempotence on and a 10 s heartbeat interval (Spool restarts well within it) every line must be copied
        // exactly once: what is left to Spool is deduplicating the retried batch across its restart, keeping the
        // groups' members and committed offsets, and losing no acknowledged record.
        startPipeline(Map.of("producer.enable.idempotence", "true", "heartbeat.interval.ms", "10000",
                "session.timeout.ms", "30000"));
        appendLines(0, 100);
        await().atMost(AWAIT).until(() -> outputLines().size() >= 100);

        // Killed while the sink copies a burst: some of it in the output file, its offsets not all committed.
        appendLines(100, 10_100);
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(5)).until(() -> outputLines().size() > 100);
        spool.kill();
        System.out.println("ConnectDistributedIT: Spool killed with " + outputLines().size() + " of "
                + written.size() + " lines in the output file");
        appendLines(10_100, 10_200);
        spool.restart();
        appendLines(10_200, 10_300);

        awaitOutputHoldsEverything();
    }

    /** Starts Spool and a worker, and runs the two file connectors on a one-partition topic. */
    private void startPipeline(Map<String, String> workerSettings) throws Exception {
        spool = SpoolProcess.start(dir.resolve("spool"));
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
        input = dir.resolve("input.txt");
        output = dir.resolve("output.txt");
        Files.createFile(input);
        worker = ConnectWorker.start(spool.bootstrap(), GROUP, workerSettings);
        putConnector(SOURCE, Map.of("connector.class", FileConnectors.Source.class.getName(),
                "tasks.max", "1", "file", input.toString(), "topic", TOPIC));
        putConnector(SINK, Map.of("connector.class", FileConnectors.Sink.class.getName(),
                "tasks.max", "1", "file", output.toString(), "topics", TOPIC));
        awaitRunning();
        assertInternalTopicsAreCompacted();
    }

    private void putConnector(String name, Map<String, String> config) {
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> Set.of(200, 201).contains(worker.putConnector(name, config)));
    }

    private void awaitRunning() {
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> worker.isRunning(SOURCE) && worker.isRunning(SINK));
    }

    private void assertInternalTopicsAreCompacted() throws Exception {
        List<String> internal = List.of(GROUP + "-configs", GROUP + "-offsets", GROUP + "-status");
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            var resources = internal.stream()
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            var configs = admin.describeConfigs(resources).all().get();
            assertThat(configs.values()).as("configs of %s", internal).hasSize(3)
                    .allSatisfy(c -> assertThat(c.get("cleanup.policy").value()).isEqualTo("compact"));
        }
    }

    /** Appends lines {@code from} (inclusive) to {@code to} (exclusive) to the input file in one write. */
    private void appendLines(int from, int to) throws IOException {
        List<String> lines = IntStream.range(from, to).mapToObj(i -> "line-" + i).toList();
        Files.writeString(input, lines.stream().map(l -> l + "\n").collect(Collectors.joining()),
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        written.addAll(lines);
    }

    private List<String> outputLines() throws IOException {
        return Files.exists(output) ? Files.readAllLines(output, StandardCharsets.UTF_8) : List.of();
    }

    /**
     * Waits until the topic holds as many records as lines were written and the sink has committed them all, so
     * nothing more will reach the output file, then checks that the topic and the file hold every line once, in
     * order.
     */
    private void awaitOutputHoldsEverything() throws Exception {
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            await().atMost(AWAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get().get(partition)
                        .offset();
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets("connect-" + SINK)
                        .partitionsToOffsetAndMetadata().get().get(partition);
                return end >= written.size() && committed != null && committed.offset() == end
                        && outputLines().size() >= written.size();
            });
        }
        assertTopicHoldsEveryLineOnce();
        assertThat(outputLines()).as("lines in the output file").containsExactlyElementsOf(written);
    }

    /** Reads the topic from the start: one record per written line, in order, each the JSON of its line. */
    private void assertTopicHoldsEveryLineOnce() throws Exception {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(spool.bootstrap(), Map.of())) {
            TopicPartition partition = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            await().atMost(AWAIT).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(JSON.readTree(record.value()).path("payload").asText());
                }
                return consumer.position(partition) >= end;
            });
        }
        assertThat(values).as("lines in topic %s", TOPIC).containsExactlyElementsOf(written);
    }
}
