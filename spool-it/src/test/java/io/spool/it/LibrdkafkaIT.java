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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * librdkafka against a real node, through Debian's kcat and confluent-kafka-python: metadata, produce and consume
 * with every codec and an idempotent producer, and the admin calls a Python user makes. What they read is compared
 * with what kafka-clients reads from the same partitions.
 */
class LibrdkafkaIT {
    private static final String KCAT = System.getProperty("spool.it.kcat", "kcat");
    /** Debian's python3, which has python3-confluent-kafka; a python3 earlier on PATH may lack it. */
    private static final String PYTHON = System.getProperty("spool.it.python", "/usr/bin/python3");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");

    @TempDir
    static Path dir;
    static SpoolProcess spool;

    @BeforeAll
    static void startSpool() {
        Path scratch = dir.resolve("tools");
        ExternalCommand.Result kcat = ExternalCommand.run(scratch, List.of(KCAT, "-V"), "", TIMEOUT);
        assertThat(kcat.exitCode()).as("kcat is needed (Debian package kcat): %s", kcat.describe()).isZero();
        ExternalCommand.Result python = ExternalCommand.run(scratch,
                List.of(PYTHON, "-c", "import confluent_kafka"), "", TIMEOUT);
        assertThat(python.exitCode()).as("%s needs confluent_kafka (Debian package python3-confluent-kafka): %s",
                PYTHON, python.describe()).isZero();
        spool = SpoolProcess.start(dir.resolve("node"));
    }

    @AfterAll
    static void stopSpool() {
        if (spool != null) {
            spool.close();
        }
    }

    @Test
    void shouldListTheBrokerAndTopicsWhenKcatAsksForMetadata() throws Exception {
        createTopic("kcat-metadata", 2);
        createTopic("kcat-metadata-other", 1);

        ExternalCommand.Result listed = kcat("", "-L", "-J");
        JsonNode metadata = JSON.readTree(listed.stdout());

        assertThat(metadata.path("controllerid").asInt()).as(listed.stdout()).isEqualTo(1);
        assertThat(metadata.path("brokers")).as(listed.stdout()).hasSize(1);
        JsonNode broker = metadata.path("brokers").get(0);
        assertThat(broker.path("id").asInt()).isEqualTo(1);
        assertThat(broker.path("name").asText()).isEqualTo("127.0.0.1:" + spool.port());
        Map<String, JsonNode> topics = new HashMap<>();
        metadata.path("topics").forEach(t -> topics.put(t.path("topic").asText(), t));
        assertThat(topics).as(listed.stdout()).containsKeys("kcat-metadata", "kcat-metadata-other");
        JsonNode topic = topics.get("kcat-metadata");
        assertThat(topic.has("error")).as(topic.toString()).isFalse();
        List<JsonNode> partitions = StreamSupport.stream(topic.path("partitions").spliterator(), false)
                .sorted(Comparator.comparingInt(p -> p.path("partition").asInt())).toList();
        assertThat(partitions).as(topic.toString()).hasSize(2);
        for (int p = 0; p < 2; p++) {
            JsonNode partition = partitions.get(p);
            assertThat(partition.path("partition").asInt()).isEqualTo(p);
            assertThat(partition.has("error")).as(partition.toString()).isFalse();
            assertThat(partition.path("leader").asInt()).isEqualTo(1);
            assertThat(partition.path("replicas").findValuesAsText("id")).containsExactly("1");
            assertThat(partition.path("isrs").findValuesAsText("id")).containsExactly("1");
        }
        assertThat(topics.get("kcat-metadata-other").path("partitions")).hasSize(1);
    }

    @Test
    void shouldReadBackKeysValuesAndHeadersWhenKcatProducesWithEveryCodec() throws Exception {
        String topic = "kcat-records";
        int partitions = 3;
        int perBatch = 200;
        createTopic(topic, partitions);
        // One kcat run per codec; -H applies to every record of a run, so the batch and codec headers vary by run.
        for (int batch = 0; batch < CODECS.size(); batch++) {
            String codec = CODECS.get(batch);
            StringBuilder lines = new StringBuilder();
            for (int i = batch * perBatch; i < (batch + 1) * perBatch; i++) {
                lines.append(key(i)).append(':').append(value(i)).append('\n');
            }
            kcat(lines.toString(), "-P", "-t", topic, "-K:", "-z", codec, "-X", "enable.idempotence=true",
                    "-H", "run=kcat", "-H", "batch=" + batch, "-H", "codec=" + codec);
        }
        int total = CODECS.size() * perBatch;

        ExternalCommand.Result consumed = kcat("", "-C", "-t", topic, "-o", "beginning", "-e", "-J");
        List<Read> read = new ArrayList<>();
        for (String line : consumed.stdoutLines()) {
            JsonNode m = JSON.readTree(line);
            List<String> headers = new ArrayList<>();
            m.path("headers").forEach(h -> headers.add(h.asText()));
            read.add(new Read(m.path("partition").asInt(), m.path("offset").asLong(), m.path("key").asText(),
                    m.path("payload").asText(), headers, m.path("tstype").asText(), m.path("ts").asLong()));
        }
        assertThat(read).as("records kcat read back; %s", consumed.describe()).hasSize(total);
        Map<Integer, List<Read>> byPartition = new HashMap<>();
        read.forEach(r -> byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r));
        assertThat(byPartition).as("kcat's partitioner spread 1000 keys over every partition")
                .containsOnlyKeys(0, 1, 2);
        List<Integer> seen = new ArrayList<>();
        for (List<Read> records : byPartition.values()) {
            records.sort(Comparator.comparingLong(Read::offset));
            int previous = -1;
            for (int n = 0; n < records.size(); n++) {
                Read r = records.get(n);
                assertThat(r.offset()).as("offsets are dense from 0: %s", r).isEqualTo(n);
                int i = Integer.parseInt(r.key().substring("key-".length()));
                assertThat(i).as("records of a partition are in the order they were produced: %s", r)
                        .isGreaterThan(previous);
                previous = i;
                int batch = i / perBatch;
                assertThat(r.value()).as("%s", r).isEqualTo(value(i));
                assertThat(r.headers()).as("%s", r)
                        .containsExactly("run", "kcat", "batch", String.valueOf(batch), "codec", CODECS.get(batch));
                assertThat(r.timestampType()).isEqualTo("create");
                seen.add(i);
            }
        }
        assertThat(seen).as("every record exactly once").containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, total).boxed().toList());

        List<Read> javaRead = consumeWithJava(topic, partitions, total).stream().map(LibrdkafkaIT::toRead).toList();
        assertThat(javaRead).as("kafka-clients reads what kcat read")
                .containsExactlyInAnyOrderElementsOf(read);
    }

    @Test
    void shouldCreateDescribeAndDeleteATopicWhenConfluentAdminClientAsks() throws Exception {
        String script = """
                import json, sys
                from confluent_kafka.admin import AdminClient, NewTopic, ConfigResource, ConfigSource
                bootstrap, topic = sys.argv[1], sys.argv[2]
                admin = AdminClient({'bootstrap.servers': bootstrap})
                configs = {'retention.ms': '3600000', 'cleanup.policy': 'delete', 'max.message.bytes': '2000000'}
                created = admin.create_topics([NewTopic(topic, 2, 1, config=configs)],
                                              operation_timeout=20, request_timeout=30)
                created[topic].result(timeout=30)
                listed = sorted(admin.list_topics(timeout=30).topics.keys())
                described = admin.describe_configs([ConfigResource('topic', topic)], request_timeout=30)
                entries = list(described.values())[0].result(timeout=30)
                configs_out = {name: {'value': e.value, 'source': ConfigSource(e.source).name,
                                      'is_default': e.is_default, 'is_read_only': e.is_read_only}
                               for name, e in entries.items()}
                deleted = admin.delete_topics([topic], operation_timeout=20, request_timeout=30)
                deleted[topic].result(timeout=30)
                listed_after = sorted(admin.list_topics(timeout=30).topics.keys())
                print(json.dumps({'listed': listed, 'configs': configs_out, 'listed_after_delete': listed_after}))
                """;
        String topic = "python-admin";

        JsonNode out = JSON.readTree(python(script, topic).stdout());

        assertThat(texts(out.path("listed"))).contains(topic);
        JsonNode configs = out.path("configs");
        assertConfig(configs, "retention.ms", "3600000", "DYNAMIC_TOPIC_CONFIG", false);
        assertConfig(configs, "cleanup.policy", "delete", "DYNAMIC_TOPIC_CONFIG", false);
        assertConfig(configs, "max.message.bytes", "2000000", "DYNAMIC_TOPIC_CONFIG", false);
        assertConfig(configs, "segment.bytes", "1073741824", "DEFAULT_CONFIG", true);
        assertConfig(configs, "retention.bytes", "-1", "DEFAULT_CONFIG", true);
        assertThat(texts(out.path("listed_after_delete"))).doesNotContain(topic);
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            assertThat(admin.listTopics().names().get()).doesNotContain(topic);
        }
    }

    @Test
    void shouldReadBackWhatConfluentProducerSentWhenConsumerAssignsPartitions() throws Exception {
        String script = """
                import json, sys, time
                from confluent_kafka import Producer, Consumer, TopicPartition, OFFSET_BEGINNING, KafkaError
                bootstrap, topic, count, partitions = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
                producer = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'acks': 'all',
                                     'compression.type': 'lz4', 'linger.ms': 5})
                delivered = []
                def on_delivery(err, msg):
                    delivered.append({'error': str(err) if err else None, 'seq': int(msg.key().decode()[4:]),
                                      'partition': msg.partition(), 'offset': msg.offset()})
                for i in range(count):
                    producer.produce(topic, key=('key-%d' % i).encode(), value=('python-%d' % i).encode(),
                                     partition=i % partitions, headers=[('seq', str(i).encode()), ('lang', b'py')],
                                     on_delivery=on_delivery)
                left = producer.flush(30)
                # assign() needs no group coordinator; the client still insists on a group.id.
                consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'unused-by-assign',
                                     'enable.auto.commit': False, 'enable.partition.eof': True})
                consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
                consumed, at_end, deadline = [], set(), time.time() + 30
                while len(at_end) < partitions and time.time() < deadline:
                    msg = consumer.poll(0.5)
                    if msg is None:
                        continue
                    if msg.error():
                        if msg.error().code() != KafkaError._PARTITION_EOF:
                            raise Exception(str(msg.error()))
                        at_end.add(msg.partition())
                        continue
                    consumed.append({'partition': msg.partition(), 'offset': msg.offset(),
                                     'key': msg.key().decode(), 'value': msg.value().decode(),
                                     'headers': [[k, v.decode()] for k, v in msg.headers()]})
                consumer.close()
                print(json.dumps({'undelivered': left, 'delivered': delivered, 'consumed': consumed,
                                  'partitions_at_end': sorted(at_end)}))
                """;
        String topic = "python-records";
        int partitions = 3;
        int count = 90;
        createTopic(topic, partitions);

        JsonNode out = JSON.readTree(python(script, topic, String.valueOf(count), String.valueOf(partitions))
                .stdout());

        assertThat(out.path("undelivered").asInt()).isZero();
        assertThat(texts(out.path("partitions_at_end"))).as("end of every partition reached")
                .containsExactly("0", "1", "2");
        assertThat(out.path("delivered")).hasSize(count);
        for (JsonNode report : out.path("delivered")) {
            int i = report.path("seq").asInt();
            assertThat(report.path("error").isNull()).as(report.toString()).isTrue();
            assertThat(report.path("partition").asInt()).isEqualTo(i % partitions);
            assertThat(report.path("offset").asLong()).as("acknowledged offsets are dense and in send order")
                    .isEqualTo(i / partitions);
        }
        List<Read> expected = IntStream.range(0, count).mapToObj(i -> new Read(i % partitions, i / partitions,
                key(i), "python-" + i, List.of("seq", String.valueOf(i), "lang", "py"), "", 0)).toList();
        List<Read> pythonRead = new ArrayList<>();
        for (JsonNode m : out.path("consumed")) {
            List<String> headers = new ArrayList<>();
            m.path("headers").forEach(h -> h.forEach(kv -> headers.add(kv.asText())));
            pythonRead.add(new Read(m.path("partition").asInt(), m.path("offset").asLong(), m.path("key").asText(),
                    m.path("value").asText(), headers, "", 0));
        }
        assertThat(pythonRead).as("what the Python consumer read").containsExactlyInAnyOrderElementsOf(expected);
        List<Read> javaRead = consumeWithJava(topic, partitions, count).stream()
                .map(r -> toRead(r).withoutTimestamp()).toList();
        assertThat(javaRead).as("what kafka-clients read").containsExactlyInAnyOrderElementsOf(expected);
    }

    /** A record as read by one client; the timestamp type is kcat's spelling ({@code create}, {@code log}). */
    record Read(int partition, long offset, String key, String value, List<String> headers, String timestampType,
            long timestamp) {
        Read withoutTimestamp() {
            return new Read(partition, offset, key, value, headers, "", 0);
        }
    }

    private static Read toRead(ConsumerRecord<byte[], byte[]> record) {
        List<String> headers = new ArrayList<>();
        for (Header h : record.headers()) {
            headers.add(h.key());
            headers.add(new String(h.value(), StandardCharsets.UTF_8));
        }
        return new Read(record.partition(), record.offset(), text(record.key()), text(record.value()), headers,
                record.timestampType() == TimestampType.CREATE_TIME ? "create" : "log", record.timestamp());
    }

    private static List<ConsumerRecord<byte[], byte[]>> consumeWithJava(String topic, int partitions, int expected) {
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(spool.bootstrap(), Map.of())) {
            List<TopicPartition> assigned = IntStream.range(0, partitions)
                    .mapToObj(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (read.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
            assertThat(read).as("records kafka-clients read from %s", topic).hasSize(expected);
            assertThat(consumer.poll(Duration.ofMillis(300))).as("nothing beyond what was produced").isEmpty();
        }
        return read;
    }

    private static void assertConfig(JsonNode configs, String name, String value, String source, boolean isDefault) {
        JsonNode entry = configs.path(name);
        assertThat(entry.isMissingNode()).as("%s in %s", name, configs).isFalse();
        assertThat(entry.path("value").asText()).as(name).isEqualTo(value);
        assertThat(entry.path("source").asText()).as(name).isEqualTo(source);
        assertThat(entry.path("is_default").asBoolean()).as(name).isEqualTo(isDefault);
    }

    private static void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    private static ExternalCommand.Result kcat(String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(KCAT, "-b", spool.bootstrap()));
        command.addAll(List.of(args));
        return ExternalCommand.runOk(dir.resolve("kcat"), command, stdin, TIMEOUT);
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

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static String key(int i) {
        return "key-" + i;
    }

    /** A value with the key separator in it (kcat splits at the first) and non-ASCII text. */
    private static String value(int i) {
        return "value-" + i + ":ünïcode:" + "x".repeat(i % 50);
    }
}
