package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every input is hostile: one node with a 256 MiB heap, 128 MiB of direct memory and a 1 MiB request limit is fed,
 * over raw sockets, thousands of seeded random frames: garbage, bad and huge (2 GB) sizes, truncated frames, unknown
 * APIs and versions, random and mutated bodies, and record batches broken in each way a client can break them.
 * Each input must get the Kafka error code Apache Kafka returns, or a closed connection, within a timeout, never a
 * hang. Afterwards the node is alive, has leaked no buffer (Netty's paranoid leak detector) and no memory, the
 * records produced before the attack read back byte for byte, and real clients still work.
 *
 * <p>The methods run in order against one node; the seed is printed and {@code -Dhostile.seed=N} replays a run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputIT {
    private static final long SEED = Long.getLong("hostile.seed", System.nanoTime());
    private static final int MAX_REQUEST_BYTES = 1 << 20;
    private static final int SMALL_MAX_MESSAGE_BYTES = 16_384;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /**
     * Heap (256) + direct memory (128) + metaspace, code cache, thread stacks and GC structures (about 100): a node
     * that buffered even one declared 2 GB frame, or leaked what it read, could not stay below it.
     */
    private static final long RSS_LIMIT_KIB = 512 * 1024;
    private static final int PROBE_ID = 0x50524F42;

    /** Written by a real producer before the attack and read back after it. */
    private static final String INTACT = "hostile-intact";
    private static final int INTACT_PARTITIONS = 3;
    private static final int INTACT_RECORDS = 3_000;
    /** Target of mutated produce requests: its content is whatever the mutations made valid. */
    private static final String SCRATCH = "hostile-scratch";
    /** Target of the crafted batches: only the valid controls may land here. */
    private static final String BATCHES = "hostile-batches";
    private static final String SMALL = "hostile-small";
    /** Named by no other request, so no mutated Metadata request can auto-create it. */
    private static final String MISSING = "hostile-never-created";

    @TempDir
    static Path dir;
    static SpoolProcess spool;
    static Random random;
    static final List<ConsumerRecord<byte[], byte[]>> producedBefore = new ArrayList<>();
    static Map<ApiKeys, ApiVersion> advertised;
    static long rssBeforeKib;
    static int nextCorrelationId = 1;

    @BeforeAll
    static void startAndProduceBeforeTheAttack() throws Exception {
        System.out.println("HostileInputIT seed=" + SEED + " (replay with -Dhostile.seed=" + SEED + ")");
        random = new Random(SEED);
        spool = SpoolProcess.start(dir, Map.of("socket.request.max.bytes", Integer.toString(MAX_REQUEST_BYTES)),
                List.of("-Xms64m", "-Xmx256m", "-XX:MaxDirectMemorySize=128m",
                        "-Dio.netty.leakDetection.level=paranoid"));
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(INTACT, INTACT_PARTITIONS, (short) 1),
                    new NewTopic(SCRATCH, 1, (short) 1), new NewTopic(BATCHES, 1, (short) 1),
                    new NewTopic(SMALL, 1, (short) 1).configs(Map.of("max.message.bytes",
                            Integer.toString(SMALL_MAX_MESSAGE_BYTES))))).all().get();
        }
        producedBefore.addAll(produce(INTACT, INTACT_RECORDS, "before"));
        advertised = apiVersions();
        rssBeforeKib = spool.residentSetKib();
    }

    @AfterAll
    static void stopSpool() {
        if (spool != null) {
            spool.close();
            spool.keepLog("HostileInputIT");
        }
    }

    @Test
    @Order(1)
    void shouldAnswerEverySupportedApiVersionsVersion() {
        ApiVersion range = advertised.get(ApiKeys.API_VERSIONS);
        try (WireConnection connection = open()) {
            for (int i = 0; i < 300; i++) {
                short version = (short) (range.minVersion()
                        + random.nextInt(range.maxVersion() - range.minVersion() + 1));
                ApiVersionsResponseData data = apiVersions(connection, version, version, version);
                assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.NONE);
                assertThat(byKey(data)).as("versions advertised in reply to v%d", version).isEqualTo(advertised);
            }
        }
    }

    /**
     * KIP-511: a client newer than the broker sends ApiVersions in a version the broker does not know; the broker
     * answers in v0 with UNSUPPORTED_VERSION and its own table, so the client can retry with a version both know.
     */
    @Test
    @Order(2)
    void shouldAnswerAFutureApiVersionsVersionInV0WithUnsupportedVersion() {
        ApiVersion range = advertised.get(ApiKeys.API_VERSIONS);
        try (WireConnection connection = open()) {
            for (int i = 0; i < 100; i++) {
                short version = (short) (range.maxVersion() + 1 + random.nextInt(Short.MAX_VALUE - range.maxVersion()));
                ApiVersionsResponseData data = apiVersions(connection, version, range.maxVersion(), (short) 0);
                assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.UNSUPPORTED_VERSION);
                assertThat(byKey(data)).as("versions advertised in reply to v%d", version).isEqualTo(advertised);
            }
        }
    }

    @Test
    @Order(3)
    void shouldAnswerApiVersionsWithAnIllegalClientSoftwareNameWithInvalidRequest() {
        try (WireConnection connection = open()) {
            for (String name : List.of("", "-leading-dash", "has space", "ünïcode")) {
                int id = correlationId();
                connection.send(WireConnection.frame(ApiKeys.API_VERSIONS, (short) 3, id, "hostile",
                        new ApiVersionsRequestData().setClientSoftwareName(name).setClientSoftwareVersion("1.0")));
                ByteBuffer response = connection.readFrame();
                assertThat(response).as("answer to a client software name of '%s'", name).isNotNull();
                assertThat(response.getInt()).isEqualTo(id);
                ApiVersionsResponseData data = new ApiVersionsResponseData(new ByteBufferAccessor(response),
                        (short) 3);
                assertThat(Errors.forCode(data.errorCode())).as("error for client software name '%s'", name)
                        .isEqualTo(Errors.INVALID_REQUEST);
            }
        }
    }

    @Test
    @Order(4)
    void shouldCloseTheConnectionOnEveryBadFrameSize() {
        int twoGigabytes = 0;
        for (int i = 0; i < 2_000; i++) {
            int size = HostileFrames.badSize(random, MAX_REQUEST_BYTES);
            twoGigabytes += size > Integer.MAX_VALUE - 64 ? 1 : 0;
            // Mostly a few bytes after the size; now and then a stream the broker must not keep reading.
            byte[] tail = HostileFrames.randomBytes(random, i % 50 == 0 ? 256 * 1024 : 64);
            try (WireConnection connection = open()) {
                connection.send(ByteBuffer.allocate(4 + tail.length).putInt(size).put(tail).flip());
                assertThat(connection.readFrame()).as("answer to a frame declaring %d bytes", size).isNull();
            }
        }
        System.out.println("HostileInputIT: 2000 frames of bad sizes closed, " + twoGigabytes + " of them ~2 GB");
        assertThat(twoGigabytes).isGreaterThan(800);
        assertServing();
    }

    @Test
    @Order(5)
    void shouldAnswerOrCloseOnGarbage() {
        int answered = 0;
        for (int i = 0; i < 1_000; i++) {
            try (WireConnection connection = open()) {
                if (random.nextBoolean()) {
                    connection.send(HostileFrames.randomBytes(random, 4096));
                    connection.shutdownOutput();
                    connection.awaitClose();
                } else {
                    byte[] body = HostileFrames.randomBytes(random, 512);
                    ByteBuffer frame = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip();
                    answered += answeredOrClosed(connection, frame) != null ? 1 : 0;
                }
            }
        }
        System.out.println("HostileInputIT: garbage answered on " + answered + " of ~500 well-sized frames");
        assertServing();
    }

    @Test
    @Order(6)
    void shouldCloseTheConnectionOnUnknownApisAndUnsupportedVersions() {
        List<ApiKeys> unadvertised = Arrays.stream(ApiKeys.values()).filter(k -> !advertised.containsKey(k)).toList();
        List<ApiKeys> served = advertised.keySet().stream().filter(k -> k != ApiKeys.API_VERSIONS).toList();
        for (int i = 0; i < 600; i++) {
            short key;
            short version;
            switch (random.nextInt(3)) {
                case 0:
                    key = HostileFrames.unknownApiKey(random);
                    version = (short) random.nextInt(1 << 16);
                    break;
                case 1:
                    key = unadvertised.get(random.nextInt(unadvertised.size())).id;
                    version = (short) random.nextInt(20);
                    break;
                default:
                    ApiVersion range = advertised.get(served.get(random.nextInt(served.size())));
                    key = range.apiKey();
                    version = range.minVersion() > 0 && random.nextBoolean()
                            ? (short) random.nextInt(range.minVersion())
                            : (short) (range.maxVersion() + 1 + random.nextInt(Short.MAX_VALUE - range.maxVersion()));
            }
            short headerVersion = (short) (1 + random.nextInt(2));
            byte[] body = HostileFrames.randomBytes(random, 256);
            try (WireConnection connection = open()) {
                connection.send(WireConnection.frame(key, version, correlationId(), "hostile", headerVersion, body));
                assertThat(connection.readFrame()).as("answer to API key %d v%d", key, version).isNull();
            }
        }
        assertServing();
    }

    @Test
    @Order(7)
    void shouldDropTruncatedFramesWithoutLeakingTheirBuffers() {
        for (int i = 0; i < 400; i++) {
            int declared = 12 + random.nextInt(MAX_REQUEST_BYTES - 11);
            byte[] part = new byte[random.nextInt(declared)];
            random.nextBytes(part);
            try (WireConnection connection = open()) {
                connection.send(ByteBuffer.allocate(4 + part.length).putInt(declared).put(part).flip());
                if (random.nextBoolean()) {
                    connection.shutdownOutput();
                    assertThat(connection.awaitClose()).as("answers to a truncated frame").isZero();
                } else {
                    connection.abort();
                }
            }
        }
        // Partial frames held open at once: together they approach the node's direct memory; if closing them
        // leaked their buffers, the later rounds could not be held.
        for (int round = 0; round < 3; round++) {
            List<WireConnection> held = new ArrayList<>();
            try {
                for (int c = 0; c < 40; c++) {
                    WireConnection connection = open();
                    held.add(connection);
                    byte[] part = new byte[MAX_REQUEST_BYTES - 1 - random.nextInt(1000)];
                    connection.send(ByteBuffer.allocate(4 + part.length).putInt(MAX_REQUEST_BYTES).put(part).flip());
                }
                assertServing();
            } finally {
                held.forEach(WireConnection::abort);
            }
        }
        assertServing();
    }

    @Test
    @Order(8)
    void shouldAnswerOrCloseOnRandomAndMutatedBodies() {
        List<ApiKeys> keys = List.copyOf(advertised.keySet());
        Map<ApiKeys, int[]> outcomes = new EnumMap<>(ApiKeys.class);
        for (int i = 0; i < 1_500; i++) {
            ApiKeys key = keys.get(random.nextInt(keys.size()));
            ApiVersion range = advertised.get(key);
            short version = (short) (range.minVersion() + random.nextInt(range.maxVersion() - range.minVersion() + 1));
            ApiMessage template = HostileFrames.template(key, random, INTACT, SCRATCH);
            byte[] body;
            if (template == null || random.nextInt(3) == 0) {
                body = HostileFrames.randomBytes(random, 512);
            } else {
                HostileFrames.Body valid = HostileFrames.serialize(template, version, range.minVersion(),
                        range.maxVersion());
                version = valid.version();
                body = HostileFrames.mutate(random, valid.bytes());
            }
            int id = correlationId();
            ByteBuffer frame = WireConnection.frame(key.id, version, id, "hostile", key.requestHeaderVersion(version),
                    body);
            try (WireConnection connection = open()) {
                List<ByteBuffer> answers = describedOnFailure(() -> answeredOrClosed(connection, frame),
                        key + " v" + version + " body " + HexFormat.of().formatHex(body));
                int[] counts = outcomes.computeIfAbsent(key, k -> new int[2]);
                counts[answers == null ? 1 : 0]++;
                if (answers != null && !answers.isEmpty()) {
                    assertWellFormed(answers.get(0), key, version, id);
                }
            }
        }
        outcomes.forEach((key, counts) -> System.out.println("HostileInputIT: " + key + " answered " + counts[0]
                + ", closed " + counts[1]));
        assertServing();
    }

    @Test
    @Order(9)
    void shouldRejectBrokenRecordBatchesWithTheErrorKafkaReturns() throws Exception {
        List<byte[]> acceptedValues = new ArrayList<>();
        java.util.Set<Errors> overstatedCountAnswers = java.util.EnumSet.noneOf(Errors.class);
        try (WireConnection connection = open()) {
            for (int round = 0; round < 25; round++) {
                ByteBuffer valid = BadBatches.valid(random, 1 + random.nextInt(10), 200);
                expect(connection, BATCHES, BadBatches.badCrc(random, valid), Errors.CORRUPT_MESSAGE);
                expect(connection, BATCHES, BadBatches.lyingCount(valid, countOf(valid) + 1 + random.nextInt(100)),
                        Errors.INVALID_RECORD);
                expect(connection, BATCHES, BadBatches.lyingCount(valid, -1 - random.nextInt(100)),
                        Errors.INVALID_RECORD);
                overstatedCountAnswers.add(expect(connection, BATCHES,
                        BadBatches.lyingCountAndDelta(valid, 1 + random.nextInt(5)), Errors.INVALID_RECORD,
                        Errors.CORRUPT_MESSAGE));
                ByteBuffer unsealed = BadBatches.copy(valid);
                unsealed.putInt(BadBatches.RECORDS_COUNT_OFFSET, countOf(valid) + 1);
                expect(connection, BATCHES, unsealed, Errors.CORRUPT_MESSAGE);
                expect(connection, BATCHES, BadBatches.nonZeroBaseOffset(valid, 1 + random.nextInt(1000)),
                        Errors.INVALID_RECORD);
                expect(connection, BATCHES, BadBatches.truncated(valid, 1 + random.nextInt(8)),
                        Errors.CORRUPT_MESSAGE);
                expect(connection, BATCHES, BadBatches.twoBatches(valid, valid), Errors.INVALID_RECORD);
                expect(connection, BATCHES, ByteBuffer.allocate(0), Errors.INVALID_RECORD);
                // Kafka 4 accepts only magic v2 in Produce v3+ and answers INVALID_RECORD.
                expect(connection, BATCHES, BadBatches.magicV1(random, 1 + random.nextInt(3), 50),
                        Errors.INVALID_RECORD);
                expect(connection, SMALL, BadBatches.withValueOf(random, SMALL_MAX_MESSAGE_BYTES + 1
                        + random.nextInt(2 * SMALL_MAX_MESSAGE_BYTES)), Errors.MESSAGE_TOO_LARGE);
                expect(connection, MISSING, valid, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                expectWithAcks(connection, (short) 5, valid, Errors.INVALID_REQUIRED_ACKS);
                expectWithAcks(connection, (short) (2 + random.nextInt(100)), valid, Errors.INVALID_REQUIRED_ACKS);
                expectWithAcks(connection, (short) (-2 - random.nextInt(100)), valid, Errors.INVALID_REQUIRED_ACKS);
                assertThat(expect(connection, BATCHES, valid, Errors.NONE)).isEqualTo(Errors.NONE);
                acceptedValues.addAll(values(valid));
            }
        }
        System.out.println("HostileInputIT: a batch overstating its count and last offset delta (valid CRC) is"
                + " answered with " + overstatedCountAnswers);
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            assertThat(latestOffset(admin, BATCHES)).as("records appended to " + BATCHES)
                    .isEqualTo(acceptedValues.size());
            assertThat(latestOffset(admin, SMALL)).as("records appended to " + SMALL).isZero();
        }
        List<ConsumerRecord<byte[], byte[]>> read = consumeFromBeginning(List.of(new TopicPartition(BATCHES, 0)),
                acceptedValues.size());
        assertThat(read.stream().map(ConsumerRecord::value).toList())
                .usingElementComparator(Arrays::compare).containsExactlyElementsOf(acceptedValues);
    }

    /** acks=0 gets no response: a rejected batch closes the connection, an accepted one is only seen in the log. */
    @Test
    @Order(10)
    void shouldCloseAnAcksZeroConnectionOnABrokenBatchAndStayQuietOnAGoodOne() throws Exception {
        long before;
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            before = latestOffset(admin, BATCHES);
        }
        int appended = 0;
        for (int i = 0; i < 50; i++) {
            ByteBuffer valid = BadBatches.valid(random, 1 + random.nextInt(5), 100);
            try (WireConnection connection = open()) {
                ByteBuffer frame = produceFrame(BadBatches.produce(BATCHES, 0, (short) 0, valid));
                List<ByteBuffer> answers = answeredOrClosed(connection, frame);
                assertThat(answers).as("answers to an acks=0 produce of a valid batch, before the probe").isEmpty();
                appended += countOf(valid);
            }
            try (WireConnection connection = open()) {
                connection.send(produceFrame(BadBatches.produce(BATCHES, 0, (short) 0,
                        BadBatches.badCrc(random, valid))));
                assertThat(connection.readFrame()).as("answer to an acks=0 produce of a corrupt batch").isNull();
            }
        }
        long expected = before + appended;
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            assertThat(latestOffset(admin, BATCHES)).isEqualTo(expected);
        }
    }

    @Test
    @Order(11)
    void shouldKeepTheLogIntactAndServeRealClientsAfterTheAttack() throws Exception {
        assertThat(spool.isAlive()).as("Spool process alive after the attack").isTrue();
        // Leaked buffers are reported when they are collected and the next buffer is allocated.
        for (int i = 0; i < 3; i++) {
            jcmd("GC.run");
            assertServing();
        }
        List<TopicPartition> partitions = IntStream.range(0, INTACT_PARTITIONS)
                .mapToObj(p -> new TopicPartition(INTACT, p)).toList();
        assertSameRecords(consumeFromBeginning(partitions, INTACT_RECORDS), producedBefore);

        List<ConsumerRecord<byte[], byte[]>> producedAfter = produce(INTACT, 1_000, "after");
        List<ConsumerRecord<byte[], byte[]>> everything = new ArrayList<>(producedBefore);
        everything.addAll(producedAfter);
        assertSameRecords(consumeFromBeginning(partitions, everything.size()), everything);

        long rssKib = spool.residentSetKib();
        System.out.println("HostileInputIT: RSS " + rssBeforeKib / 1024 + " MiB before the attack, " + rssKib / 1024
                + " MiB after; heap: " + jcmd("GC.heap_info"));
        assertThat(rssKib).as("resident set (KiB) of a node with -Xmx256m after the attack")
                .isLessThan(RSS_LIMIT_KIB);
        String log = spool.logText();
        assertThat(log).as("node log").doesNotContain("OutOfMemoryError").doesNotContain("LEAK:");
        // Every hostile input must be handled by validation; an ERROR means one reached an unexpected exception.
        assertThat(log.lines().filter(line -> line.contains(" ERROR ")).toList()).as("ERROR lines of the node log")
                .isEmpty();
    }

    // ---- wire helpers ----

    private static WireConnection open() {
        return WireConnection.open(spool.port(), TIMEOUT);
    }

    private static int correlationId() {
        int id = nextCorrelationId++;
        return id == PROBE_ID ? nextCorrelationId++ : id;
    }

    private static ByteBuffer probe() {
        return WireConnection.frame(ApiKeys.API_VERSIONS, (short) 3, PROBE_ID, "probe",
                new ApiVersionsRequestData().setClientSoftwareName("probe").setClientSoftwareVersion("1"));
    }

    /**
     * Sends {@code frame} and, behind it, an ApiVersions probe; since responses leave in request order, the probe's
     * answer proves the broker has finished with the frame (even one that gets no response, like acks=0 Produce).
     *
     * @return the answers that came before the probe's, or null if the broker closed the connection instead
     */
    private static List<ByteBuffer> answeredOrClosed(WireConnection connection, ByteBuffer frame) {
        byte[] bytes = new byte[frame.remaining()];
        frame.duplicate().get(bytes);
        return answeredOrClosed(connection, bytes);
    }

    private static List<ByteBuffer> answeredOrClosed(WireConnection connection, byte[] frame) {
        if (!connection.send(frame) || !connection.send(probe())) {
            assertThat(connection.readFrame()).isNull();
            return null;
        }
        List<ByteBuffer> answers = new ArrayList<>();
        for (ByteBuffer answer = connection.readFrame(); answer != null; answer = connection.readFrame()) {
            if (answer.getInt(0) == PROBE_ID) {
                return answers;
            }
            answers.add(answer);
        }
        return null;
    }

    /** A response parses as {@code key}'s response at {@code version}, for request {@code id}, with nothing left. */
    private static void assertWellFormed(ByteBuffer response, ApiKeys key, short version, int id) {
        short headerVersion = key == ApiKeys.API_VERSIONS ? 0 : key.responseHeaderVersion(version);
        ByteBufferAccessor accessor = new ByteBufferAccessor(response.duplicate());
        assertThat(new ResponseHeaderData(accessor, headerVersion).correlationId())
                .as("correlation id of the answer to %s v%d", key, version).isEqualTo(id);
        ApiMessage body = key.messageType.newResponse();
        body.read(accessor, version);
        assertThat(accessor.remaining()).as("bytes after the %s v%d response", key, version).isZero();
    }

    /** Runs {@code exchange}, adding {@code what} was sent to any assertion it fails. */
    private static <T> T describedOnFailure(java.util.function.Supplier<T> exchange, String what) {
        try {
            return exchange.get();
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " after " + what, e);
        }
    }

    /** The broker still answers a well-formed request on a new connection. */
    private static void assertServing() {
        assertThat(spool.isAlive()).as("Spool process alive").isTrue();
        try (WireConnection connection = open()) {
            assertThat(answeredOrClosed(connection, new byte[0])).as("answers to a probe sent alone")
                    .isNotNull().isEmpty();
        }
    }

    private static Map<ApiKeys, ApiVersion> apiVersions() {
        try (WireConnection connection = open()) {
            connection.send(WireConnection.frame(ApiKeys.API_VERSIONS, (short) 3, correlationId(), "hostile",
                    new ApiVersionsRequestData().setClientSoftwareName("hostile").setClientSoftwareVersion("1.0")));
            ByteBuffer response = connection.readFrame();
            response.getInt();
            return byKey(new ApiVersionsResponseData(new ByteBufferAccessor(response), (short) 3));
        }
    }

    /**
     * Sends ApiVersions with a header of {@code version} and a body written at {@code bodyVersion}, and reads the
     * answer as {@code responseVersion}, checking that nothing follows the body.
     */
    private static ApiVersionsResponseData apiVersions(WireConnection connection, short version, short bodyVersion,
            short responseVersion) {
        int id = correlationId();
        RequestHeaderData header = HostileFrames.header(random, ApiKeys.API_VERSIONS.id, version, id);
        connection.send(WireConnection.frame(header, ApiKeys.API_VERSIONS.requestHeaderVersion(version),
                new ApiVersionsRequestData().setClientSoftwareName("hostile-it").setClientSoftwareVersion("1.0"),
                bodyVersion));
        ByteBuffer response = connection.readFrame();
        assertThat(response).as("answer to ApiVersions v%d", version).isNotNull();
        // ApiVersions responses always use header v0, so that any client can read the error.
        assertThat(response.getInt()).isEqualTo(id);
        ApiVersionsResponseData data = new ApiVersionsResponseData(new ByteBufferAccessor(response), responseVersion);
        assertThat(response.remaining()).as("bytes after an ApiVersions v%d body", responseVersion).isZero();
        return data;
    }

    /** Kafka checks the KIP-511 client software name and version of ApiVersions v3+ and answers INVALID_REQUEST. */
    private static Map<ApiKeys, ApiVersion> byKey(ApiVersionsResponseData data) {
        Map<ApiKeys, ApiVersion> map = new EnumMap<>(ApiKeys.class);
        for (ApiVersion version : data.apiKeys()) {
            map.put(ApiKeys.forId(version.apiKey()), version.duplicate());
        }
        return map;
    }

    // ---- produce helpers ----

    private static short produceVersion() {
        // v13 names topics by id; v3..v12 by name, which is what these requests use.
        ApiVersion range = advertised.get(ApiKeys.PRODUCE);
        int max = Math.min(range.maxVersion(), 12);
        return (short) (range.minVersion() + random.nextInt(max - range.minVersion() + 1));
    }

    private static ByteBuffer produceFrame(ProduceRequestData request) {
        return WireConnection.frame(ApiKeys.PRODUCE, produceVersion(), correlationId(), "hostile", request);
    }

    private static Errors expect(WireConnection connection, String topic, ByteBuffer records, Errors... allowed) {
        return send(connection, BadBatches.produce(topic, 0, (short) -1, records), allowed);
    }

    private static void expectWithAcks(WireConnection connection, short acks, ByteBuffer records, Errors expected) {
        send(connection, BadBatches.produce(BATCHES, 0, acks, records), expected);
    }

    private static Errors send(WireConnection connection, ProduceRequestData request, Errors... allowed) {
        short version = produceVersion();
        int id = correlationId();
        assertThat(connection.send(WireConnection.frame(ApiKeys.PRODUCE, version, id, "hostile", request))).isTrue();
        ByteBuffer response = connection.readFrame();
        assertThat(response).as("answer to Produce v%d expecting %s", version, Arrays.toString(allowed)).isNotNull();
        assertThat(WireConnection.correlationId(response, ApiKeys.PRODUCE, version)).isEqualTo(id);
        ProduceResponseData data = new ProduceResponseData(new ByteBufferAccessor(response), version);
        PartitionProduceResponse partition = data.responses().iterator().next().partitionResponses().get(0);
        Errors error = Errors.forCode(partition.errorCode());
        assertThat(error).as("Produce v%d error (%s)", version, partition.errorMessage()).isIn((Object[]) allowed);
        return error;
    }

    private static int countOf(ByteBuffer batch) {
        return batch.getInt(BadBatches.RECORDS_COUNT_OFFSET);
    }

    private static List<byte[]> values(ByteBuffer batch) {
        List<byte[]> values = new ArrayList<>();
        org.apache.kafka.common.record.internal.MemoryRecords.readableRecords(batch.duplicate()).records()
                .forEach(r -> {
                    byte[] value = new byte[r.valueSize()];
                    r.value().get(value);
                    values.add(value);
                });
        return values;
    }

    // ---- real clients ----

    private static List<ConsumerRecord<byte[], byte[]>> produce(String topic, int count, String tag)
            throws Exception {
        List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>();
        List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(spool.bootstrap(),
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 5))) {
            for (int i = 0; i < count; i++) {
                byte[] value = new byte[random.nextInt(300)];
                random.nextBytes(value);
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, i % INTACT_PARTITIONS,
                        System.currentTimeMillis(), (tag + "-" + i).getBytes(StandardCharsets.UTF_8), value);
                sent.add(record);
                acks.add(producer.send(record));
            }
            producer.flush();
        }
        List<ConsumerRecord<byte[], byte[]>> produced = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            RecordMetadata metadata = acks.get(i).get(30, TimeUnit.SECONDS);
            ProducerRecord<byte[], byte[]> record = sent.get(i);
            produced.add(new ConsumerRecord<>(topic, metadata.partition(), metadata.offset(), record.key(),
                    record.value()));
        }
        return produced;
    }

    private static List<ConsumerRecord<byte[], byte[]>> consumeFromBeginning(List<TopicPartition> partitions,
            int expected) {
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(spool.bootstrap(), Map.of())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
            assertThat(read).as("records read back from %s", partitions).hasSize(expected);
            assertThat(consumer.poll(Duration.ofMillis(300))).as("records beyond those produced").isEmpty();
        }
        return read;
    }

    private static void assertSameRecords(List<ConsumerRecord<byte[], byte[]>> read,
            List<ConsumerRecord<byte[], byte[]>> expected) {
        Map<TopicPartition, Map<Long, ConsumerRecord<byte[], byte[]>>> byPosition = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : read) {
            byPosition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), p -> new HashMap<>())
                    .put(r.offset(), r);
        }
        for (ConsumerRecord<byte[], byte[]> e : expected) {
            ConsumerRecord<byte[], byte[]> r = byPosition.getOrDefault(new TopicPartition(e.topic(), e.partition()),
                    Map.of()).get(e.offset());
            assertThat(r).as("record at %s-%d offset %d", e.topic(), e.partition(), e.offset()).isNotNull();
            assertThat(r.key()).isEqualTo(e.key());
            assertThat(r.value()).as("value at %s-%d offset %d", e.topic(), e.partition(), e.offset())
                    .isEqualTo(e.value());
        }
        assertThat(read).hasSameSizeAs(expected);
    }

    private static long latestOffset(Admin admin, String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
    }

    private static String jcmd(String command) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(spool.pid()), command)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("jcmd %s: %s", command, output).isZero();
        return output;
    }
}
