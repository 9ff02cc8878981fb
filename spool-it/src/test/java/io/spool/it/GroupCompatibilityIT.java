package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Consumer groups of non-Java clients against a real node: librdkafka (confluent-kafka-python's Consumer and
 * {@code kcat -G}) and kafka-python each consume a topic in a group, commit and leave; a second run of the same
 * client in the same group receives only what was written since, and the group's committed offsets, as Admin lists
 * them, follow each run.
 */
class GroupCompatibilityIT {
    private static final String KCAT = System.getProperty("spool.it.kcat", "kcat");
    /** Debian's python3, which has python3-confluent-kafka and python3-kafka; a python3 earlier on PATH may not. */
    private static final String PYTHON = System.getProperty("spool.it.python", "/usr/bin/python3");
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 3;

    /** Consumes {@code count} records in a group, commits synchronously, closes; prints what it read as JSON. */
    private static final String CONFLUENT = """
            import json, sys, time
            from confluent_kafka import Consumer, KafkaException
            bootstrap, topic, group, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
            consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
                                 'enable.auto.commit': False})
            consumer.subscribe([topic])
            read, deadline = [], time.time() + 60
            while len(read) < count and time.time() < deadline:
                msg = consumer.poll(0.5)
                if msg is None:
                    continue
                if msg.error():
                    raise KafkaException(msg.error())
                read.append({'partition': msg.partition(), 'offset': msg.offset(), 'value': msg.value().decode()})
            committed = consumer.commit(asynchronous=False)
            errors = [str(tp.error) for tp in committed if tp.error]
            if errors:
                raise Exception('commit failed: %s' % errors)
            consumer.close()
            print(json.dumps(read))
            """;

    /** The same with kafka-python's KafkaConsumer. */
    private static final String KAFKA_PYTHON = """
            import json, sys, time
            from kafka import KafkaConsumer
            bootstrap, topic, group, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
            consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset='earliest',
                                     enable_auto_commit=False)
            read, deadline = [], time.time() + 60
            while len(read) < count and time.time() < deadline:
                for tp, messages in consumer.poll(timeout_ms=500).items():
                    for m in messages:
                        read.append({'partition': m.partition, 'offset': m.offset, 'value': m.value.decode()})
            consumer.commit()
            consumer.close()
            print(json.dumps(read))
            """;

    /**
     * Two librdkafka consumers join one group with the given assignment strategy; once both own partitions, the
     * script writes {@code count} records and both consume until every one is read; prints who owned and read
     * what.
     */
    private static final String CONFLUENT_PAIR = """
            import json, sys, time
            from confluent_kafka import Consumer, Producer, KafkaException
            bootstrap, topic, group, strategy = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[5]
            count = int(sys.argv[4])
            consumers = [Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
                                   'enable.auto.commit': False, 'partition.assignment.strategy': strategy,
                                   'client.id': 'pair-%d' % i}) for i in range(2)]
            for c in consumers:
                c.subscribe([topic])
            deadline = time.time() + 60
            def owned():
                return [sorted(tp.partition for tp in c.assignment()) for c in consumers]
            while time.time() < deadline and (not all(owned()) or sum(len(o) for o in owned()) != 4):
                for c in consumers:
                    msg = c.poll(0.1)
                    if msg is not None:
                        raise Exception('read before anything was written: %s' % msg.error())
            assignments = owned()
            producer = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True})
            for i in range(count):
                producer.produce(topic, value=('pair-%d' % i).encode(), partition=i % 4)
            if producer.flush(30) != 0:
                raise Exception('records left unsent')
            read = []
            while len(read) < count and time.time() < deadline:
                for i, c in enumerate(consumers):
                    msg = c.poll(0.1)
                    if msg is None:
                        continue
                    if msg.error():
                        raise KafkaException(msg.error())
                    read.append({'consumer': i, 'partition': msg.partition(), 'offset': msg.offset(),
                                 'value': msg.value().decode()})
            for c in consumers:
                c.commit(asynchronous=False)
                c.close()
            print(json.dumps({'assignments': assignments, 'read': read}))
            """;

    @TempDir
    static Path dir;
    static SpoolProcess spool;

    /** A client that consumes {@code count} records in a group, commits and leaves. */
    enum GroupClient {
        CONFLUENT_KAFKA_PYTHON,
        KCAT,
        KAFKA_PYTHON
    }

    /** A record as a client read it. */
    record Read(int partition, long offset, String value) {
    }

    @BeforeAll
    static void startSpool() {
        Path scratch = dir.resolve("tools");
        ExternalCommand.Result kcat = ExternalCommand.run(scratch, List.of(KCAT, "-V"), "", TIMEOUT);
        assertThat(kcat.exitCode()).as("kcat is needed (Debian package kcat): %s", kcat.describe()).isZero();
        ExternalCommand.Result python = ExternalCommand.run(scratch,
                List.of(PYTHON, "-c", "import confluent_kafka, kafka"), "", TIMEOUT);
        assertThat(python.exitCode()).as("%s needs confluent_kafka and kafka (Debian packages"
                + " python3-confluent-kafka, python3-kafka): %s", PYTHON, python.describe()).isZero();
        spool = SpoolProcess.start(dir.resolve("node"), GroupIT.FAST_GROUPS);
    }

    @AfterAll
    static void stopSpool() {
        if (spool != null) {
            spool.keepLog("GroupCompatibilityIT");
            spool.close();
        }
    }

    @ParameterizedTest
    @EnumSource(GroupClient.class)
    void shouldResumeFromTheGroupsCommittedOffsetsWhenTheClientComesBack(GroupClient client) throws Exception {
        String name = client.name().toLowerCase(Locale.ROOT).replace('_', '-');
        String topic = "compat-" + name;
        String group = "compat-" + name;
        GroupAdmin.createTopic(spool, topic, PARTITIONS);
        List<Read> first = produce(topic, "first", 0, 20);

        List<Read> firstRun = consume(client, topic, group, first.size());

        assertThat(firstRun).as("the first run reads the topic").containsExactlyInAnyOrderElementsOf(first);
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            assertThat(GroupAdmin.committedOffsets(admin, group)).as("committed by the first run")
                    .isEqualTo(offsets(topic, 20));
            List<Read> second = produce(topic, "second", 20, 30);

            List<Read> secondRun = consume(client, topic, group, second.size());

            assertThat(secondRun).as("the second run resumes at the committed offsets: only the new records")
                    .containsExactlyInAnyOrderElementsOf(second);
            assertThat(GroupAdmin.committedOffsets(admin, group)).as("committed by the second run")
                    .isEqualTo(offsets(topic, 30));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"range", "roundrobin", "cooperative-sticky"})
    void shouldShareTheTopicWhenTwoLibrdkafkaConsumersJoinOneGroup(String strategy) throws Exception {
        String topic = "compat-pair-" + strategy;
        String group = "compat-pair-" + strategy;
        GroupAdmin.createTopic(spool, topic, 4);
        int count = 200;

        JsonNode out = JSON.readTree(python(CONFLUENT_PAIR, topic, group, String.valueOf(count), strategy).stdout());

        List<List<Integer>> owned = new ArrayList<>();
        out.path("assignments").forEach(a -> {
            List<Integer> partitions = new ArrayList<>();
            a.forEach(p -> partitions.add(p.asInt()));
            owned.add(partitions);
        });
        assertThat(owned).as("both consumers own partitions, together all four, each once").hasSize(2)
                .allSatisfy(o -> assertThat(o).isNotEmpty());
        assertThat(owned.stream().flatMap(List::stream).toList()).containsExactlyInAnyOrder(0, 1, 2, 3);
        List<String> values = new ArrayList<>();
        for (JsonNode r : out.path("read")) {
            assertThat(owned.get(r.path("consumer").asInt())).as("%s read by the owner of its partition", r)
                    .contains(r.path("partition").asInt());
            values.add(r.path("value").asText());
        }
        assertThat(values).as("every record read once").containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, count).mapToObj(i -> "pair-" + i).toList());
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            Map<TopicPartition, Long> ends = GroupAdmin.endOffsets(admin, topic);
            assertThat(GroupAdmin.committedOffsets(admin, group)).as("committed by both").isEqualTo(ends);
        }
    }

    private static List<Read> consume(GroupClient client, String topic, String group, int count) throws IOException {
        String countArg = String.valueOf(count);
        return switch (client) {
            case CONFLUENT_KAFKA_PYTHON -> parseJson(python(CONFLUENT, topic, group, countArg));
            case KAFKA_PYTHON -> parseJson(python(KAFKA_PYTHON, topic, group, countArg));
            case KCAT -> {
                // Balanced consumer mode: -e is not supported there, so stop after count records. librdkafka's auto
                // commit (on by default) commits what kcat consumed when it closes.
                ExternalCommand.Result result = ExternalCommand.runOk(dir.resolve("kcat"), List.of(KCAT, "-b",
                        spool.bootstrap(), "-G", group, topic, "-c", countArg, "-f", "%p %o %s\\n",
                        "-X", "auto.offset.reset=earliest"), "", TIMEOUT);
                yield result.stdoutLines().stream().map(line -> line.split(" ", 3))
                        .map(f -> new Read(Integer.parseInt(f[0]), Long.parseLong(f[1]), f[2])).toList();
            }
        };
    }

    private static List<Read> parseJson(ExternalCommand.Result result) throws IOException {
        List<Read> read = new ArrayList<>();
        for (JsonNode m : JSON.readTree(result.stdout())) {
            read.add(new Read(m.path("partition").asInt(), m.path("offset").asLong(), m.path("value").asText()));
        }
        return read;
    }

    /** Writes records {@code from} to {@code to} (exclusive) of every partition; what was written. */
    private static List<Read> produce(String topic, String prefix, int from, int to) throws Exception {
        List<Read> written = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(spool.bootstrap(), Map.of())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            List<String> values = new ArrayList<>();
            for (int i = from; i < to; i++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    String value = prefix + "-" + p + "-" + i;
                    values.add(value);
                    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                    sent.add(producer.send(new ProducerRecord<>(topic, p, null, bytes)));
                }
            }
            for (int i = 0; i < sent.size(); i++) {
                RecordMetadata m = sent.get(i).get();
                written.add(new Read(m.partition(), m.offset(), values.get(i)));
            }
        }
        return written;
    }

    private static Map<TopicPartition, Long> offsets(String topic, long each) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            offsets.put(new TopicPartition(topic, p), each);
        }
        return offsets;
    }

    /** Runs a Python script with the bootstrap address and {@code args} as its arguments. */
    private static ExternalCommand.Result python(String script, String... args) {
        try {
            Path scratch = dir.resolve("python");
            Files.createDirectories(scratch);
            Path file = Files.createTempFile(scratch, "script-", ".py");
            Files.writeString(file, script, StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>(List.of(PYTHON, file.toString(), spool.bootstrap()));
            command.addAll(List.of(args));
            return ExternalCommand.runOk(scratch, command, "", TIMEOUT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
