package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code spool} command as a user runs it: each step is a separate CLI process from the built distribution
 * against a real node, and each is judged by its exit code and what it prints.
 */
class CliIT {
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 60;

    @TempDir
    static Path dir;
    static SpoolProcess spool;
    static SpoolCommand spoolCli;

    @BeforeAll
    static void startSpool() {
        spool = SpoolProcess.start(dir.resolve("node"));
        spoolCli = new SpoolCommand(dir.resolve("cli"), spool.bootstrap());
    }

    @AfterAll
    static void stopSpool() {
        if (spool != null) {
            spool.close();
        }
    }

    @Test
    void shouldRoundTripTopicAndRecordsWhenEveryStepIsACliCommand() {
        String topic = "cli-orders";
        ExternalCommand.Result created = spoolCli.client("topic", "create", topic, "--partitions",
                String.valueOf(PARTITIONS));
        assertThat(created.exitCode()).as(created.describe()).isZero();
        assertThat(created.stdoutLines()).containsExactly("Created topic " + topic + ".");
        assertThat(listTopics()).contains(topic);

        List<String> lines = IntStream.range(0, RECORDS).mapToObj(i -> key(i) + ":" + value(i)).toList();
        ExternalCommand.Result produced = spoolCli.clientWithInput(String.join("\n", lines) + "\n", "produce",
                "--topic", topic, "--key-separator", ":", "--header", "a=b", "--header", "source=cli");
        assertThat(produced.exitCode()).as(produced.describe()).isZero();

        ExternalCommand.Result consumed = spoolCli.client("consume", "--topic", topic, "--from-beginning",
                "--print-key", "--print-offset", "--print-partition", "--print-headers");
        assertThat(consumed.exitCode()).as(consumed.describe()).isZero();
        assertThat(consumed.stderr()).as(consumed.describe()).contains("Consumed " + RECORDS + " record(s)");
        Map<Integer, List<PrintedRecord>> byPartition = new HashMap<>();
        for (String line : consumed.stdoutLines()) {
            PrintedRecord record = PrintedRecord.parse(line);
            byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
        }
        assertThat(byPartition.values().stream().mapToInt(List::size).sum()).as(consumed.stdout()).isEqualTo(RECORDS);
        Map<Integer, Long> counts = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            int partition = p;
            List<PrintedRecord> expected = new ArrayList<>();
            IntStream.range(0, RECORDS).filter(i -> partitionOf(i) == partition).forEach(i -> expected.add(
                    new PrintedRecord(partition, expected.size(), key(i), "a=b,source=cli", value(i))));
            assertThat(byPartition.getOrDefault(p, List.of()))
                    .as("partition %d: every line produced with a key that hashes here, in input order", p)
                    .containsExactlyElementsOf(expected);
            counts.put(p, (long) expected.size());
        }

        ExternalCommand.Result described = spoolCli.client("topic", "describe", topic);
        assertThat(described.exitCode()).as(described.describe()).isZero();
        List<Map<String, String>> fields = described.stdoutLines().stream().map(CliIT::describeFields).toList();
        assertThat(fields).as(described.stdout()).hasSize(1 + PARTITIONS);
        assertThat(fields.get(0)).containsEntry("Topic", topic).containsEntry("PartitionCount", "3")
                .containsEntry("ReplicationFactor", "1");
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(fields.get(1 + p)).as(described.stdout())
                    .containsEntry("Topic", topic)
                    .containsEntry("Partition", String.valueOf(p))
                    .containsEntry("Leader", "1")
                    .containsEntry("Replicas", "1")
                    .containsEntry("Isr", "1")
                    .containsEntry("EarliestOffset", "0")
                    .containsEntry("LatestOffset", String.valueOf(counts.get(p)));
        }

        ExternalCommand.Result deleted = spoolCli.client("topic", "delete", topic);
        assertThat(deleted.exitCode()).as(deleted.describe()).isZero();
        assertThat(deleted.stdoutLines()).containsExactly("Deleted topic " + topic + ".");
        assertThat(listTopics()).doesNotContain(topic);
    }

    @Test
    void shouldMoveEarliestOffsetWhenDeletingRecords() throws Exception {
        String topic = "cli-trimmed";
        ExternalCommand.Result created = spoolCli.client("topic", "create", topic, "--partitions", "2");
        assertThat(created.exitCode()).as(created.describe()).isZero();
        try (var producer = Clients.producer(spool.bootstrap(), Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, i % 2, null,
                        value(i).getBytes(StandardCharsets.UTF_8))).get();
            }
        }

        ExternalCommand.Result trimmed = spoolCli.client("topic", "delete-records", topic, "--offset", "3",
                "--partition", "0");
        ExternalCommand.Result all = spoolCli.client("topic", "delete-records", topic, "--offset", "-1");
        ExternalCommand.Result beyond = spoolCli.client("topic", "delete-records", topic, "--offset", "99");

        assertThat(trimmed.exitCode()).as(trimmed.describe()).isZero();
        assertThat(trimmed.stdoutLines()).containsExactly("Partition 0 of topic " + topic + " now starts at offset 3.");
        assertThat(all.exitCode()).as(all.describe()).isZero();
        assertThat(all.stdoutLines()).containsExactlyInAnyOrder(
                "Partition 0 of topic " + topic + " now starts at offset 5.",
                "Partition 1 of topic " + topic + " now starts at offset 5.");
        assertThat(beyond.exitCode()).as(beyond.describe()).isEqualTo(1);
        assertThat(beyond.stderr()).contains("Cannot delete records of partition 0 of topic " + topic);
        ExternalCommand.Result described = spoolCli.client("topic", "describe", topic);
        assertThat(described.stdoutLines().stream().filter(l -> l.contains("Partition: "))
                .map(CliIT::describeFields).toList()).hasSize(2)
                .allSatisfy(f -> assertThat(f).containsEntry("EarliestOffset", "5"));
    }

    @Test
    void shouldListAndDescribeAnOpenTransactionAndItsProducer() throws Exception {
        String topic = "cli-txn";
        ExternalCommand.Result created = spoolCli.client("topic", "create", topic, "--partitions", "2");
        assertThat(created.exitCode()).as(created.describe()).isZero();
        try (var producer = Clients.producer(spool.bootstrap(), Map.of(
                org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG, "cli-txn-id"))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, 1, null,
                    value(0).getBytes(StandardCharsets.UTF_8))).get();

            ExternalCommand.Result listed = spoolCli.client("txn", "list", "--state", "ongoing");
            ExternalCommand.Result described = spoolCli.client("txn", "describe", "cli-txn-id");
            ExternalCommand.Result producers = spoolCli.client("producer", "describe", "--topic", topic);
            ExternalCommand.Result unknown = spoolCli.client("txn", "describe", "no-such-txn-id");
            producer.commitTransaction();

            assertThat(listed.exitCode()).as(listed.describe()).isZero();
            assertThat(listed.stdoutLines()).hasSize(2);
            assertThat(listed.stdoutLines().get(0).split("\\s+")).containsExactly("TRANSACTIONAL-ID", "PRODUCER-ID",
                    "STATE");
            assertThat(listed.stdoutLines().get(1).split("\\s+")).startsWith("cli-txn-id").endsWith("Ongoing");
            assertThat(described.exitCode()).as(described.describe()).isZero();
            String[] row = described.stdoutLines().get(1).split("\\s+");
            assertThat(row[0]).isEqualTo("cli-txn-id");
            assertThat(row[4]).isEqualTo("Ongoing");
            assertThat(row[row.length - 1]).isEqualTo(topic + "-1");
            assertThat(producers.exitCode()).as(producers.describe()).isZero();
            assertThat(producers.stdoutLines()).hasSize(2);
            String[] state = producers.stdoutLines().get(1).split("\\s+");
            assertThat(state[0]).isEqualTo("1");
            assertThat(state[1]).isEqualTo(row[2]);
            assertThat(state[state.length - 1]).isEqualTo("0");
            assertThat(unknown.exitCode()).as(unknown.describe()).isEqualTo(1);
            assertThat(unknown.stderr()).contains("no-such-txn-id");
        }
    }

    @Test
    void shouldExitOneWithClearMessageWhenCreatingATopicThatExists() {
        String topic = "cli-exists";
        ExternalCommand.Result first = spoolCli.client("topic", "create", topic, "--partitions", "1");
        assertThat(first.exitCode()).as(first.describe()).isZero();

        ExternalCommand.Result second = spoolCli.client("topic", "create", topic, "--partitions", "1");
        assertThat(second.exitCode()).as(second.describe()).isEqualTo(1);
        assertThat(second.stderr().strip()).isEqualTo("Topic '" + topic + "' already exists.");
        assertThat(second.stdout()).isEmpty();

        ExternalCommand.Result tolerated = spoolCli.client("topic", "create", topic, "--partitions", "1",
                "--if-not-exists");
        assertThat(tolerated.exitCode()).as(tolerated.describe()).isZero();
    }

    @Test
    void shouldExitTwoWithoutTouchingTheBrokerWhenAnOptionIsUnknown() throws Exception {
        String topic = "cli-never-created";
        ExternalCommand.Result unknown = spoolCli.client("topic", "create", topic, "--partitions", "1",
                "--no-such-option");
        assertThat(unknown.exitCode()).as(unknown.describe()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("Unknown option: '--no-such-option'")
                .contains("see 'spool topic create --help'");

        ExternalCommand.Result missing = spoolCli.client("produce", "--key-separator", ":");
        assertThat(missing.exitCode()).as(missing.describe()).isEqualTo(2);
        assertThat(missing.stderr()).contains("Missing required option").contains("--topic");

        try (Admin admin = Clients.admin(spool.bootstrap())) {
            assertThat(admin.listTopics().names().get()).doesNotContain(topic);
        }
    }

    @Test
    void shouldExitOneNamingTheTopicWhenItDoesNotExist() throws Exception {
        String topic = "cli-missing";
        ExternalCommand.Result described = spoolCli.client("topic", "describe", topic);
        assertThat(described.exitCode()).as(described.describe()).isEqualTo(1);
        assertThat(described.stderr()).contains("Topic '" + topic + "' does not exist");

        ExternalCommand.Result deleted = spoolCli.client("topic", "delete", topic);
        assertThat(deleted.exitCode()).as(deleted.describe()).isEqualTo(1);
        assertThat(deleted.stderr()).contains("Cannot delete topic " + topic + ": Topic '" + topic
                + "' does not exist");

        ExternalCommand.Result consumed = spoolCli.client("consume", "--topic", topic);
        assertThat(consumed.exitCode()).as(consumed.describe()).isEqualTo(1);
        assertThat(consumed.stderr()).contains("Topic '" + topic + "' does not exist");

        try (Admin admin = Clients.admin(spool.bootstrap())) {
            assertThat(admin.listTopics().names().get()).as("consume does not auto-create").doesNotContain(topic);
        }
    }

    /** One line of {@code consume --print-partition --print-offset --print-key --print-headers}. */
    record PrintedRecord(int partition, long offset, String key, String headers, String value) {
        static PrintedRecord parse(String line) {
            String[] f = line.split("\t", 5);
            assertThat(f).as("fields of %s", line).hasSize(5);
            assertThat(f[0]).startsWith("Partition:");
            assertThat(f[1]).startsWith("Offset:");
            return new PrintedRecord(Integer.parseInt(f[0].substring("Partition:".length())),
                    Long.parseLong(f[1].substring("Offset:".length())), f[2], f[3], f[4]);
        }
    }

    private List<String> listTopics() {
        ExternalCommand.Result listed = spoolCli.client("topic", "list");
        assertThat(listed.exitCode()).as(listed.describe()).isZero();
        return listed.stdoutLines();
    }

    /** {@code Name: value} fields of one {@code topic describe} line, which are separated by tabs. */
    private static Map<String, String> describeFields(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : line.strip().split("\t")) {
            int colon = field.indexOf(": ");
            String name = colon < 0 ? field.replace(":", "") : field.substring(0, colon);
            fields.put(name, colon < 0 ? "" : field.substring(colon + 2));
        }
        return fields;
    }

    /** The partition the CLI's producer (kafka-clients' default partitioner) picks for record {@code i}. */
    private static int partitionOf(int i) {
        return BuiltInPartitioner.partitionForKey(key(i).getBytes(StandardCharsets.UTF_8), PARTITIONS);
    }

    private static String key(int i) {
        return "key-" + i;
    }

    /** A value with the key separator in it (only the first one splits) and non-ASCII text. */
    private static String value(int i) {
        return "value-" + i + ":ünïcode:" + "x".repeat(i % 7);
    }
}
