package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
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
    /** How much the node's RSS may still grow once a client that never reads can write no more. */
    private static final long DEAF_CLIENT_GROWTH_LIMIT_KIB = 64 * 1024;

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
        producedBefore.addAll(AckedRecords.produce(spool.bootstrap(), INTACT, INTACT_PARTITIONS, INTACT_RECORDS,
                "before", random));
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
                short version = i == 0 ? 99
                        : (short) (range.maxVersion() + 1 + random.nextInt(Short.MAX_VALUE - range.maxVersion()));
                ApiVersionsResponseData data = apiVersions(connection, version, range.maxVersion(), (short) 0);
                assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.UNSUPPORTED_VERSION);
                assertThat(byKey(data)).as("versions advertised in reply to v%d", version).isEqualTo(advertised);
            }
        }
    }

    /** Kafka checks the KIP-511 client software name and version of ApiVersions v3+ and answers INVALID_REQUEST. */
    @Test
    @Order(3)
    void shouldAnswerApiVersionsWithAnIllegalClientSoftwareNameWithInvalidRequest() {
        try (WireConnection connection = open()) {
            for (String name : List.of("", "-leading-dash", "has space", "ünïcode")) {
                ApiVersionsResponseData data = connection.request(ApiKeys.API_VERSIONS, (short) 3, correlationId(),
                        new ApiVersionsRequestData().setClientSoftwareName(name).setClientSoftwareVersion("1.0"));
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
                    answered += connection.answeredOrClosed(frame) != null ? 1 : 0;
                }
            }
        }
        System.out.println("HostileInputIT: garbage answered on " + answered + " of ~500 well-sized frames");
        assertServing();
    }

    @Test
    @Order(6)
    void shouldCloseTheConnectionOnUnknownApisAndUnsupportedVersions() {
        // Including the APIs nodes call on the controller: they travel through the metadata quorum, never here.
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

    /**
     * A client that sends requests but never reads the answers may only stall its own connection: the broker must
     * stop reading from it once its answers back up (Kafka mutes such a channel until the pending answer is sent)
     * rather than keep serving into an unbounded outbound buffer. The answers asked for here add up to more than
     * the node's heap and direct memory; once the client's writes stall, the node must stay responsive and its
     * memory flat for a while, not keep growing as it works through the backlog it has read.
     */
    @Test
    @Order(8)
    void shouldStopReadingFromAClientThatNeverReadsItsAnswers() throws Exception {
        short version = advertised.get(ApiKeys.DESCRIBE_CONFIGS).maxVersion();
        DescribeConfigsRequestData describe = new DescribeConfigsRequestData().setResources(List.of(
                new DescribeConfigsResource().setResourceType((byte) 2).setResourceName(INTACT)
                        .setConfigurationKeys(null)));
        int answerBytes;
        try (WireConnection connection = open()) {
            answerBytes = connection.answeredOrClosed(WireConnection.frame(ApiKeys.DESCRIBE_CONFIGS, version,
                    correlationId(), "hostile", describe)).get(0).remaining();
        }
        byte[] request = WireConnection.frame(ApiKeys.DESCRIBE_CONFIGS, version, correlationId(), "hostile",
                describe).array();
        long requests = (384L << 20) / answerBytes + 1;
        long rssBefore = spool.residentSetKib();
        AtomicLong sent = new AtomicLong();
        AtomicLong lastSentNanos = new AtomicLong(System.nanoTime());
        WireConnection deaf = open();
        Thread writer = new Thread(() -> {
            while (sent.get() < requests && deaf.send(request)) {
                sent.incrementAndGet();
                lastSentNanos.set(System.nanoTime());
            }
        }, "hostile-deaf-writer");
        writer.start();
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(
                    () -> sent.get() >= requests || System.nanoTime() - lastSentNanos.get() > 2_000_000_000L);
            assertThat(sent.get()).as("requests a client that never reads could write").isLessThan(requests);
            long rssAtStall = spool.residentSetKib();
            await("node responsive, RSS flat, while a client that never reads holds its connection")
                    .during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        assertServing();
                        long rss = spool.residentSetKib();
                        System.out.println("HostileInputIT: " + sent.get() + " requests of " + request.length
                                + " bytes from a client that never reads (answers of " + answerBytes + " bytes); RSS "
                                + rssBefore / 1024 + " MiB before, " + rssAtStall / 1024 + " when its writes stalled, "
                                + rss / 1024 + " now");
                        return rss - rssAtStall < DEAF_CLIENT_GROWTH_LIMIT_KIB && rss < RSS_LIMIT_KIB;
                    });
        } finally {
            deaf.abort();
            writer.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertServing();
    }

    @Test
    @Order(9)
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
                List<ByteBuffer> answers = describedOnFailure(() -> connection.answeredOrClosed(frame),
                        key + " v" + version + " body " + HexFormat.of().formatHex(body));
                int[] counts = outcomes.computeIfAbsent(key, k -> new int[2]);
                counts[answers == null ? 1 : 0]++;
                if (answers != null && !answers.isEmpty()) {
                    short answered = version;
                    describedOnFailure(() -> WireConnection.parseResponse(answers.get(0), key, answered, id),
                            key + " v" + version + " body " + HexFormat.of().formatHex(body));
                }
            }
        }
        outcomes.forEach((key, counts) -> System.out.println("HostileInputIT: " + key + " answered " + counts[0]
                + ", closed " + counts[1]));
        assertServing();
    }

    @Test
    @Order(10)
    void shouldRejectBrokenRecordBatchesWithTheErrorKafkaReturns() throws Exception {
        List<byte[]> acceptedValues = new ArrayList<>();
        Set<Errors> overstatedCountAnswers = EnumSet.noneOf(Errors.class);
        try (WireConnection connection = open()) {
            for (int round = 0; round < 25; round++) {
                ByteBuffer valid = BadBatches.valid(random, 1 + random.nextInt(10), 200);
                expect(connection, BATCHES, BadBatches.badCrc(random, valid), Errors.CORRUPT_MESSAGE);
                int overstated = BadBatches.count(valid) + 1 + random.nextInt(100);
                expect(connection, BATCHES, BadBatches.lyingCount(valid, overstated), Errors.INVALID_RECORD);
                expect(connection, BATCHES, BadBatches.lyingCount(valid, -1 - random.nextInt(100)),
                        Errors.INVALID_RECORD);
                overstatedCountAnswers.add(expect(connection, BATCHES,
                        BadBatches.lyingCountAndDelta(valid, 1 + random.nextInt(5)), Errors.INVALID_RECORD,
                        Errors.CORRUPT_MESSAGE));
                ByteBuffer unsealed = BadBatches.copy(valid);
                unsealed.putInt(BadBatches.RECORDS_COUNT_OFFSET, BadBatches.count(valid) + 1);
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
                // As in Kafka, acks are checked last: a missing topic or bad records are named first.
                send(connection, BadBatches.produce(MISSING, 0, (short) 5, valid), Errors.UNKNOWN_TOPIC_OR_PARTITION);
                send(connection, BadBatches.produce(BATCHES, 0, (short) 5, BadBatches.truncated(valid, 7)),
                        Errors.CORRUPT_MESSAGE);
                assertThat(expect(connection, BATCHES, valid, Errors.NONE)).isEqualTo(Errors.NONE);
                acceptedValues.addAll(BadBatches.values(valid));
            }
        }
        System.out.println("HostileInputIT: a batch overstating its count and last offset delta (valid CRC) is"
                + " answered with " + overstatedCountAnswers);
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            assertThat(latestOffset(admin, BATCHES)).as("records appended to " + BATCHES)
                    .isEqualTo(acceptedValues.size());
            assertThat(latestOffset(admin, SMALL)).as("records appended to " + SMALL).isZero();
        }
        List<ConsumerRecord<byte[], byte[]>> read = AckedRecords.readFromBeginning(spool.bootstrap(),
                List.of(new TopicPartition(BATCHES, 0)), acceptedValues.size());
        assertThat(read.stream().map(ConsumerRecord::value).toList())
                .usingElementComparator(Arrays::compare).containsExactlyElementsOf(acceptedValues);
    }

    /** acks=0 gets no response: a rejected batch closes the connection, an accepted one is only seen in the log. */
    @Test
    @Order(11)
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
                List<ByteBuffer> answers = connection.answeredOrClosed(frame);
                assertThat(answers).as("answers to an acks=0 produce of a valid batch, before the probe").isEmpty();
                appended += BadBatches.count(valid);
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
    @Order(12)
    void shouldKeepTheLogIntactAndServeRealClientsAfterTheAttack() throws Exception {
        assertThat(spool.isAlive()).as("Spool process alive after the attack").isTrue();
        assertThat(spool.jcmd("VM.system_properties")).as("the node runs Netty's paranoid leak detector")
                .contains("io.netty.leakDetection.level=paranoid");
        // Leaked buffers are reported when they are collected and the next buffer is allocated.
        for (int i = 0; i < 3; i++) {
            spool.jcmd("GC.run");
            assertServing();
        }
        List<TopicPartition> partitions = IntStream.range(0, INTACT_PARTITIONS)
                .mapToObj(p -> new TopicPartition(INTACT, p)).toList();
        AckedRecords.assertSame(AckedRecords.readFromBeginning(spool.bootstrap(), partitions, INTACT_RECORDS),
                producedBefore);

        List<ConsumerRecord<byte[], byte[]>> producedAfter = AckedRecords.produce(spool.bootstrap(), INTACT,
                INTACT_PARTITIONS, 1_000, "after", random);
        List<ConsumerRecord<byte[], byte[]>> everything = new ArrayList<>(producedBefore);
        everything.addAll(producedAfter);
        AckedRecords.assertSame(AckedRecords.readFromBeginning(spool.bootstrap(), partitions, everything.size()),
                everything);

        long rssKib = spool.residentSetKib();
        System.out.println("HostileInputIT: RSS " + rssBeforeKib / 1024 + " MiB before the attack, " + rssKib / 1024
                + " MiB after; heap: " + spool.jcmd("GC.heap_info"));
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
        return id == WireConnection.PROBE_ID ? nextCorrelationId++ : id;
    }

    /** Runs {@code exchange}, adding {@code what} was sent to any assertion it fails. */
    private static <T> T describedOnFailure(Supplier<T> exchange, String what) {
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
            assertThat(connection.answeredOrClosed(ByteBuffer.allocate(0))).as("answers to a probe sent alone")
                    .isNotNull().isEmpty();
        }
    }

    private static Map<ApiKeys, ApiVersion> apiVersions() {
        try (WireConnection connection = open()) {
            return byKey(connection.request(ApiKeys.API_VERSIONS, (short) 3, correlationId(),
                    new ApiVersionsRequestData().setClientSoftwareName("hostile").setClientSoftwareVersion("1.0")));
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
        return WireConnection.parseResponse(response, ApiKeys.API_VERSIONS, responseVersion, id);
    }

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
        ProduceResponseData response = connection.request(ApiKeys.PRODUCE, version, correlationId(), request);
        PartitionProduceResponse partition = response.responses().iterator().next().partitionResponses().get(0);
        Errors error = Errors.forCode(partition.errorCode());
        assertThat(error).as("Produce v%d error (%s)", version, partition.errorMessage()).isIn((Object[]) allowed);
        return error;
    }

    private static long latestOffset(Admin admin, String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
    }
}
