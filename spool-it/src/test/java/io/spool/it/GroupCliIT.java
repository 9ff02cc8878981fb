package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spool group} as an operator runs it: every command is a separate CLI process from the built distribution,
 * against a real node whose groups are driven by real Java consumers. Each step is judged by its exit code and what
 * it prints, and every offset change is checked through the Admin client and by a consumer that resumes from it.
 */
class GroupCliIT {
    /** Fast rebalances: no initial delay; short classic sessions allowed; quick KIP-848 heartbeats. */
    private static final Map<String, String> FAST_GROUPS = Map.of(
            "group.initial.rebalance.delay.ms", "0",
            "group.min.session.timeout.ms", "1000",
            "group.consumer.heartbeat.interval.ms", "500",
            "offsets.topic.num.partitions", "4");
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The creation time of record {@code i} of a partition is this plus {@code i} minutes. */
    private static final Instant BASE_TIME = Instant.parse("2024-05-01T00:00:00Z");

    @TempDir
    static Path dir;
    static SpoolProcess spool;
    static SpoolCommand spoolCli;
    static Admin admin;
    static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void startSpool() {
        spool = SpoolProcess.start(dir.resolve("node"), FAST_GROUPS);
        spoolCli = new SpoolCommand(dir.resolve("cli"), spool.bootstrap());
        admin = Clients.admin(spool.bootstrap());
        producer = Clients.producer(spool.bootstrap(), Map.of());
    }

    @AfterAll
    static void stopSpool() {
        if (producer != null) {
            producer.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (spool != null) {
            spool.keepLog("GroupCliIT");
            spool.close();
        }
    }

    @Test
    void shouldShowLagAndResetOffsetsOnlyWhileTheClassicGroupIsEmpty() throws Exception {
        String topic = "cli-orders";
        String group = "cli-billing";
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        createTopic(topic, 2);
        produce(p0, 0, 20);
        produce(p1, 0, 20);

        KafkaConsumer<byte[], byte[]> reader = joinAndCommit(group, topic, "classic", Map.of(p0, 12L, p1, 7L));
        produce(p0, 20, 30);

        assertThat(groupRow(group)).containsEntry("TYPE", "Classic").containsEntry("STATE", "Stable");
        assertThat(groupIds("--state", "Empty", "--state", "Dead")).doesNotContain(group);
        assertThat(groupIds("--type", "consumer")).doesNotContain(group);
        assertThat(groupIds("--type", "classic", "--state", "stable")).contains(group);

        Description active = describe(group);
        assertThat(active.state()).containsEntry("TYPE", "Classic").containsEntry("STATE", "Stable")
                .containsEntry("#MEMBERS", "1").containsEntry("COORDINATOR (ID)", spool.bootstrap() + " (1)");
        assertThat(active.members()).singleElement().satisfies(m -> {
            assertThat(m.get("CONSUMER-ID")).startsWith("reader-" + group + "-");
            assertThat(m).containsEntry("#PARTITIONS", "2").containsEntry("ASSIGNMENT", topic + "(0,1)")
                    .containsEntry("CLIENT-ID", "reader-" + group).containsEntry("HOST", "/127.0.0.1");
        });
        String memberId = active.members().get(0).get("CONSUMER-ID");
        assertThat(active.lags()).as("lag = log end - committed, while the producer is ahead").containsExactly(
                lag(group, topic, 0, 12, 30, memberId), lag(group, topic, 1, 7, 20, memberId));

        ExternalCommand.Result refused = spoolCli.client("group", "reset-offsets", "--group", group, "--all-topics",
                "--to-earliest", "--execute");
        assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(1);
        assertThat(refused.stderr().strip()).isEqualTo("Consumer group '" + group
                + "' is active (state Stable, 1 member(s)); stop its consumers first");
        ExternalCommand.Result notDeleted = spoolCli.client("group", "delete", group);
        assertThat(notDeleted.exitCode()).as(notDeleted.describe()).isEqualTo(1);
        assertThat(notDeleted.stderr().strip()).isEqualTo("Cannot delete consumer group " + group
                + ": it has active members; stop its consumers first");
        assertThat(committed(group)).as("nothing changed while active").isEqualTo(Map.of(0, 12L, 1, 7L));

        reader.close();
        awaitState(group, GroupState.EMPTY);
        Description empty = describe(group);
        assertThat(empty.state()).containsEntry("STATE", "Empty").containsEntry("#MEMBERS", "0");
        assertThat(empty.members()).isEmpty();
        assertThat(empty.lags()).as("committed partitions without a member still show their lag").containsExactly(
                lag(group, topic, 0, 12, 30, "-"), lag(group, topic, 1, 7, 20, "-"));

        ExternalCommand.Result dryRun = reset(group, "--all-topics", "--to-earliest");
        assertThat(plan(dryRun)).containsExactly(planned(group, topic, 0, 12, 0), planned(group, topic, 1, 7, 0));
        assertThat(dryRun.stderr()).contains("Dry run");
        assertThat(committed(group)).as("a dry run changes nothing").isEqualTo(Map.of(0, 12L, 1, 7L));

        ExternalCommand.Result executed = reset(group, "--all-topics", "--to-earliest", "--execute");
        assertThat(plan(executed)).containsExactly(planned(group, topic, 0, 12, 0), planned(group, topic, 1, 7, 0));
        assertThat(executed.stderr()).doesNotContain("Dry run");
        assertThat(committed(group)).isEqualTo(Map.of(0, 0L, 1, 0L));
        assertThat(firstOffsetsOfAResumingConsumer(group, topic)).isEqualTo(Map.of(0, 0L, 1, 0L));
        awaitState(group, GroupState.EMPTY);

        reset(group, "--topic", topic, "--to-offset", "25", "--execute");
        assertThat(committed(group)).as("clamped to each log end").isEqualTo(Map.of(0, 25L, 1, 20L));
        reset(group, "--topic", topic + ":1", "--shift-by", "-3", "--execute");
        assertThat(committed(group)).as("only the named partition moves").isEqualTo(Map.of(0, 25L, 1, 17L));

        reset(group, "--topic", topic, "--to-datetime", BASE_TIME.plus(Duration.ofMinutes(5)).toString(),
                "--execute");
        assertThat(committed(group)).as("first record at or after 00:05").isEqualTo(Map.of(0, 5L, 1, 5L));
        String at25 = String.valueOf(BASE_TIME.plus(Duration.ofMinutes(25)).toEpochMilli());
        ExternalCommand.Result byMillis = reset(group, "--topic", topic, "--to-datetime", at25, "--execute");
        assertThat(plan(byMillis)).as("partition 1 has no record that recent: its end").containsExactly(
                planned(group, topic, 0, 5, 25), planned(group, topic, 1, 5, 20));
        assertThat(committed(group)).isEqualTo(Map.of(0, 25L, 1, 20L));
        assertThat(firstOffsetsOfAResumingConsumer(group, topic)).isEqualTo(Map.of(0, 25L));
        awaitState(group, GroupState.EMPTY);

        ExternalCommand.Result deleted = spoolCli.client("group", "delete", group);
        assertThat(deleted.exitCode()).as(deleted.describe()).isZero();
        assertThat(deleted.stdoutLines()).containsExactly("Deleted consumer group " + group + ".");
        assertThat(groupIds()).doesNotContain(group);
        ExternalCommand.Result gone = spoolCli.client("group", "describe", group);
        assertThat(gone.exitCode()).as(gone.describe()).isEqualTo(1);
        assertThat(gone.stderr().strip()).isEqualTo("Consumer group '" + group + "' does not exist");
    }

    @Test
    void shouldShowLagAndRefuseResetAndDeleteWhileAConsumerProtocolGroupIsActive() throws Exception {
        String topic = "cli-payments";
        String group = "cli-ledger";
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        createTopic(topic, 2);
        produce(p0, 0, 10);
        produce(p1, 0, 10);

        KafkaConsumer<byte[], byte[]> reader = joinAndCommit(group, topic, "consumer", Map.of(p0, 4L, p1, 6L));
        produce(p1, 10, 15);

        assertThat(groupRow(group, "--type", "consumer")).containsEntry("TYPE", "Consumer")
                .containsEntry("STATE", "Stable");
        Description active = describe(group);
        assertThat(active.state()).containsEntry("TYPE", "Consumer").containsEntry("STATE", "Stable")
                .containsEntry("#MEMBERS", "1");
        assertThat(active.members()).singleElement().satisfies(m -> assertThat(m)
                .containsEntry("CLIENT-ID", "reader-" + group).containsEntry("HOST", "/127.0.0.1")
                .containsEntry("#PARTITIONS", "2").containsEntry("ASSIGNMENT", topic + "(0,1)"));
        String memberId = active.members().get(0).get("CONSUMER-ID");
        assertThat(active.lags()).containsExactly(lag(group, topic, 0, 4, 10, memberId),
                lag(group, topic, 1, 6, 15, memberId));

        ExternalCommand.Result refused = spoolCli.client("group", "reset-offsets", "--group", group, "--topic",
                topic, "--to-latest", "--execute");
        assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(1);
        assertThat(refused.stderr()).contains("is active", "stop its consumers first");
        ExternalCommand.Result dryRunRefused = spoolCli.client("group", "reset-offsets", "--group", group,
                "--all-topics", "--to-latest");
        assertThat(dryRunRefused.exitCode()).as(dryRunRefused.describe()).isEqualTo(1);
        ExternalCommand.Result notDeleted = spoolCli.client("group", "delete", group);
        assertThat(notDeleted.exitCode()).as(notDeleted.describe()).isEqualTo(1);
        assertThat(notDeleted.stderr()).contains("it has active members");
        assertThat(committed(group)).isEqualTo(Map.of(0, 4L, 1, 6L));

        reader.close();
        awaitState(group, GroupState.EMPTY);
        Description empty = describe(group);
        assertThat(empty.state()).containsEntry("TYPE", "Consumer").containsEntry("STATE", "Empty");
        assertThat(empty.lags()).containsExactly(lag(group, topic, 0, 4, 10, "-"),
                lag(group, topic, 1, 6, 15, "-"));

        reset(group, "--all-topics", "--to-latest", "--execute");
        assertThat(committed(group)).isEqualTo(Map.of(0, 10L, 1, 15L));
        ExternalCommand.Result deleted = spoolCli.client("group", "delete", group);
        assertThat(deleted.exitCode()).as(deleted.describe()).isZero();
        assertThat(groupIds()).doesNotContain(group);
    }

    /** The three tables of {@code group describe}: the group's one row, its members, its partitions. */
    record Description(Map<String, String> state, List<Map<String, String>> members, List<List<String>> lags) {
    }

    private static Description describe(String group) {
        ExternalCommand.Result r = spoolCli.client("group", "describe", group);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        List<Map<String, String>> state = table(r.stdout(), "ASSIGNMENT-STRATEGY");
        assertThat(state).as(r.stdout()).hasSize(1);
        List<List<String>> lags = table(r.stdout(), "LOG-END-OFFSET").stream()
                .map(row -> List.of(row.get("GROUP"), row.get("TOPIC"), row.get("PARTITION"),
                        row.get("CURRENT-OFFSET"), row.get("LOG-END-OFFSET"), row.get("LAG"),
                        row.get("CONSUMER-ID")))
                .toList();
        lags.forEach(row -> assertThat(row.get(0)).isEqualTo(group));
        boolean hasMembers = !r.stdout().contains("Consumer group '" + group + "' has no active members.");
        return new Description(state.get(0), hasMembers ? table(r.stdout(), "#PARTITIONS") : List.of(), lags);
    }

    /** A row of the partitions table: group, topic, partition, committed, log end, lag and member. */
    private static List<String> lag(String group, String topic, int partition, long committed, long end,
            String member) {
        return List.of(group, topic, String.valueOf(partition), String.valueOf(committed), String.valueOf(end),
                String.valueOf(end - committed), member);
    }

    private static ExternalCommand.Result reset(String group, String... args) {
        List<String> command = new ArrayList<>(List.of("group", "reset-offsets", "--group", group));
        command.addAll(List.of(args));
        ExternalCommand.Result r = spoolCli.client(command.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return r;
    }

    private static List<List<String>> plan(ExternalCommand.Result reset) {
        return table(reset.stdout(), "NEW-OFFSET").stream().map(row -> List.of(row.get("GROUP"), row.get("TOPIC"),
                row.get("PARTITION"), row.get("CURRENT-OFFSET"), row.get("NEW-OFFSET"))).toList();
    }

    private static List<String> planned(String group, String topic, int partition, long current, long next) {
        return List.of(group, topic, String.valueOf(partition), String.valueOf(current), String.valueOf(next));
    }

    /** The row of {@code group list} for the group. */
    private static Map<String, String> groupRow(String group, String... options) {
        ExternalCommand.Result r = spoolCli.client(concat(new String[] {"group", "list"}, options));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        List<Map<String, String>> rows = table(r.stdout(), "STATE").stream()
                .filter(row -> row.get("GROUP").equals(group)).toList();
        assertThat(rows).as(r.stdout()).hasSize(1);
        return rows.get(0);
    }

    /** The groups {@code group list} prints with these options. */
    private static List<String> groupIds(String... options) {
        ExternalCommand.Result r = spoolCli.client(concat(new String[] {"group", "list"}, options));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdoutLines().get(0).split("\\s{2,}")).containsExactly("GROUP", "TYPE", "STATE");
        return table(r.stdout(), "STATE").stream().map(row -> row.get("GROUP")).toList();
    }

    /**
     * The rows of the first table whose header names {@code column}, each as header-to-cell; cells are at least two
     * spaces apart and never empty.
     */
    private static List<Map<String, String>> table(String stdout, String column) {
        List<String> lines = stdout.lines().toList();
        int header = 0;
        while (header < lines.size() && !List.of(lines.get(header).split("\\s{2,}")).contains(column)) {
            header++;
        }
        assertThat(header).as("a table with %s in:%n%s", column, stdout).isLessThan(lines.size());
        String[] names = lines.get(header).split("\\s{2,}");
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = header + 1; i < lines.size() && !lines.get(i).isBlank(); i++) {
            String[] cells = lines.get(i).split("\\s{2,}");
            assertThat(cells).as(lines.get(i)).hasSameSizeAs(names);
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < names.length; c++) {
                row.put(names[c], cells[c]);
            }
            rows.add(row);
        }
        return rows;
    }

    private static void createTopic(String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    /** Records {@code from} until {@code to} of a partition, record {@code i} created {@code i} minutes in. */
    private static void produce(TopicPartition tp, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            long timestamp = BASE_TIME.plus(Duration.ofMinutes(i)).toEpochMilli();
            producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), timestamp,
                    ("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
        assertThat(endOffset(tp)).isEqualTo(to);
    }

    /** A consumer that joins the group, is assigned every partition of the topic, reads and commits {@code offsets}. */
    private static KafkaConsumer<byte[], byte[]> joinAndCommit(String group, String topic, String protocol,
            Map<TopicPartition, Long> offsets) {
        KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(spool.bootstrap(), consumerSettings(group,
                protocol, "earliest"));
        consumer.subscribe(List.of(topic));
        await().atMost(WAIT).until(() -> {
            consumer.poll(Duration.ofMillis(100));
            return consumer.assignment().size() == offsets.size();
        });
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        offsets.forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
        consumer.commitSync(commit);
        return consumer;
    }

    /**
     * The offset of the first record a new member of the group reads in each partition it reads anything from; it
     * has no reset policy, so it can only start at committed offsets. It leaves without committing.
     */
    private static Map<Integer, Long> firstOffsetsOfAResumingConsumer(String group, String topic) throws Exception {
        Map<Integer, Long> ends = Map.of(0, endOffset(new TopicPartition(topic, 0)),
                1, endOffset(new TopicPartition(topic, 1)));
        Map<Integer, Long> first = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(spool.bootstrap(),
                consumerSettings(group, "classic", "none"))) {
            consumer.subscribe(List.of(topic));
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    first.putIfAbsent(record.partition(), record.offset());
                }
                return consumer.assignment().size() == 2 && ends.keySet().stream().allMatch(p ->
                        first.containsKey(p) || consumer.position(new TopicPartition(topic, p)) == ends.get(p));
            });
        }
        return first;
    }

    private static long endOffset(TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS).get(tp).offset();
    }

    private static Map<String, Object> consumerSettings(String group, String protocol, String reset) {
        Map<String, Object> settings = new HashMap<>(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.CLIENT_ID_CONFIG, "reader-" + group,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset));
        if (protocol.equals("classic")) {
            settings.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
            settings.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        }
        return settings;
    }

    private static Map<Integer, Long> committed(String group) throws Exception {
        Map<Integer, Long> offsets = new HashMap<>();
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                .forEach((tp, offset) -> offsets.put(tp.partition(), offset.offset()));
        return offsets;
    }

    private static void awaitState(String group, GroupState state) {
        await().atMost(WAIT).ignoreException(GroupIdNotFoundException.class).until(() -> admin
                .describeConsumerGroups(List.of(group)).describedGroups().get(group).get(10, TimeUnit.SECONDS)
                .groupState() == state);
    }

    private static String[] concat(String[] first, String[] second) {
        String[] all = new String[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}
