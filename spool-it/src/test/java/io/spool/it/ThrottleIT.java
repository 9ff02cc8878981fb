package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic configs and replication throttles (KIP-73) on a three-node cluster: topic and broker configs set with
 * IncrementalAlterConfigs are described with their dynamic sources and survive a restart; a reassignment run with
 * {@code spool cluster decommission --throttle} copies no faster than the throttle, completes, loses nothing, and
 * leaves no throttle config behind.
 */
class ThrottleIT {
    private static final String TOPIC = "throttled";
    private static final int RECORDS = 4096;
    private static final int RECORD_BYTES = 1000;
    private static final long RATE = 512 * 1024;

    @TempDir
    Path dir;
    private SpoolCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
            cluster.keepLogs("ThrottleIT");
        }
    }

    @Test
    void shouldCopyNoFasterThanTheThrottleAndRemoveItWhenTheMoveCompletes() throws Exception {
        cluster = SpoolCluster.start(dir.resolve("cluster"), 3);
        createSingleReplicaTopic();
        await("leader of " + TOPIC).atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> cluster.leaderOf(new TopicPartition(TOPIC, 0)) == 1);
        produce();
        long bytes = (long) RECORDS * RECORD_BYTES;

        long start = System.nanoTime();
        ExternalCommand.Result moved = new SpoolCommand(dir, cluster.node(2).bootstrap()).client("cluster",
                "decommission", "--broker-id", "1", "--throttle", Long.toString(RATE));
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(moved.exitCode()).as("decommission: %s %s", moved.stdout(), moved.stderr()).isZero();
        assertThat(moved.stdout()).contains("Replication throttled to " + RATE, "Replication throttles removed");
        System.out.printf("ThrottleIT: moved %d bytes in %.1f s at a throttle of %d B/s%n", bytes, seconds, RATE);
        assertThat(seconds).as("seconds to move %d bytes at %d B/s", bytes, RATE)
                .isGreaterThanOrEqualTo(0.5 * bytes / RATE);
        List<Integer> replicas = cluster.describe(TOPIC).partitions().get(0).replicas().stream().map(Node::id)
                .toList();
        assertThat(replicas).hasSize(1).doesNotContain(1);
        assertThat(readAll()).isEqualTo(RECORDS);
        assertNoThrottleLeft(replicas.get(0));
    }

    @Test
    void shouldThrottleAndUnthrottleWhenKafkasReassignToolDrivesTheMove() throws Exception {
        Path tools = Path.of(System.getProperty("user.dir")).resolveSibling("spool-bench").resolve("target")
                .resolve("apache-kafka").resolve("tools-4.3.1");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(tools),
                "Kafka's tools are not unpacked at " + tools);
        cluster = SpoolCluster.start(dir.resolve("cluster"), 3);
        createSingleReplicaTopic();
        await("leader of " + TOPIC).atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> cluster.leaderOf(new TopicPartition(TOPIC, 0)) == 1);
        produce();
        Path plan = dir.resolve("reassignment.json");
        java.nio.file.Files.writeString(plan, "{\"version\":1,\"partitions\":[{\"topic\":\"" + TOPIC
                + "\",\"partition\":0,\"replicas\":[3]}]}");
        List<String> tool = List.of(SpoolProcess.javaBinary(), "-Xmx256m", "-cp", tools + "/*",
                "org.apache.kafka.tools.reassign.ReassignPartitionsCommand", "--bootstrap-server",
                cluster.bootstrapServers(), "--reassignment-json-file", plan.toString());

        List<String> execute = new java.util.ArrayList<>(tool);
        execute.addAll(List.of("--execute", "--throttle", Long.toString(RATE)));
        ExternalCommand.Result started = ExternalCommand.run(dir, execute, "", Duration.ofSeconds(60));
        assertThat(started.exitCode()).as("%s\nstdout:\n%s", started.describe(), started.stdout()).isZero();
        assertThat(started.stdout()).contains("The inter-broker throttle limit was set to " + RATE);
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
        assertEntry(cluster.admin().describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic),
                "follower.replication.throttled.replicas", "0:3", ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);

        List<String> verify = new java.util.ArrayList<>(tool);
        verify.add("--verify");
        await("Kafka's tool verifies the move and clears the throttle").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1)).until(() -> {
                    ExternalCommand.Result result = ExternalCommand.run(dir, verify, "", Duration.ofSeconds(60));
                    assertThat(result.exitCode()).as("%s\nstdout:\n%s", result.describe(), result.stdout()).isZero();
                    return result.stdout().contains("Clearing topic-level throttles");
                });
        assertThat(readAll()).isEqualTo(RECORDS);
        assertNoThrottleLeft(3);
    }

    @Test
    void shouldDescribeDynamicConfigsWithTheirSourcesAndKeepThemAcrossARestart() throws Exception {
        cluster = SpoolCluster.start(dir.resolve("cluster"), 3);
        cluster.createTopic(TOPIC, 2, 2, Map.of());
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
        ConfigResource broker2 = new ConfigResource(ConfigResource.Type.BROKER, "2");
        ConfigResource defaults = new ConfigResource(ConfigResource.Type.BROKER, "");
        alter(Map.of(topic, List.of(set("retention.ms", "123456"), set("leader.replication.throttled.replicas", "*")),
                broker2, List.of(set("leader.replication.throttled.rate", "1000000")),
                defaults, List.of(set("follower.replication.throttled.rate", "2000000"))));

        cluster.admin().incrementalAlterConfigs(Map.of(topic, List.of(set("segment.ms", "99999"))),
                new AlterConfigsOptions().validateOnly(true)).all().get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> alter(Map.of(topic, List.of(set("no.such.config", "1")))))
                .hasCauseInstanceOf(InvalidConfigurationException.class);
        assertThatThrownBy(() -> alter(Map.of(topic, List.of(set("retention.ms", "soon")))))
                .hasCauseInstanceOf(InvalidConfigurationException.class);
        assertThatThrownBy(() -> alter(Map.of(broker2, List.of(set("log.dirs", "/tmp/x")))))
                .hasCauseInstanceOf(InvalidRequestException.class);

        assertDescribed(topic, broker2);
        cluster.stop(2);
        cluster.restart(2);
        await("configs described after node 2 restarted").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .untilAsserted(() -> assertDescribed(topic, broker2));
    }

    private void assertDescribed(ConfigResource topic, ConfigResource broker2) throws Exception {
        Map<ConfigResource, Config> configs = cluster.admin().describeConfigs(List.of(topic, broker2)).all()
                .get(30, TimeUnit.SECONDS);
        assertEntry(configs.get(topic), "retention.ms", "123456", ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(configs.get(topic).get("segment.ms").source()).as("segment.ms, only validated")
                .isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertEntry(configs.get(topic), "leader.replication.throttled.replicas", "*",
                ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertEntry(configs.get(broker2), "leader.replication.throttled.rate", "1000000",
                ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG);
        assertEntry(configs.get(broker2), "follower.replication.throttled.rate", "2000000",
                ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
    }

    private static void assertEntry(Config config, String name, String value, ConfigEntry.ConfigSource source) {
        ConfigEntry entry = config.get(name);
        assertThat(entry).as(name).isNotNull();
        assertThat(entry.value()).as(name).isEqualTo(value);
        assertThat(entry.source()).as(name).isEqualTo(source);
    }

    private void assertNoThrottleLeft(int broker) throws Exception {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
        for (String id : List.of("1", Integer.toString(broker))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, id);
            Config config = cluster.admin().describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
                    .get(resource);
            assertEntry(config, "leader.replication.throttled.rate", Long.toString(Long.MAX_VALUE),
                    ConfigEntry.ConfigSource.DEFAULT_CONFIG);
            assertEntry(config, "follower.replication.throttled.rate", Long.toString(Long.MAX_VALUE),
                    ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        }
        Config config = cluster.admin().describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
        assertEntry(config, "leader.replication.throttled.replicas", "", ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        assertEntry(config, "follower.replication.throttled.replicas", "", ConfigEntry.ConfigSource.DEFAULT_CONFIG);
    }

    /** One partition with its only replica on broker 1; acks=all needs just that one. */
    private void createSingleReplicaTopic() throws Exception {
        cluster.admin().createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1)))
                .configs(Map.of("min.insync.replicas", "1")))).all().get(30, TimeUnit.SECONDS);
    }

    private void alter(Map<ConfigResource, Collection<AlterConfigOp>> ops) throws Exception {
        cluster.admin().incrementalAlterConfigs(ops).all().get(30, TimeUnit.SECONDS);
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    private void produce() throws ExecutionException, InterruptedException {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(cluster.bootstrapServers(),
                Map.of("linger.ms", 5, "batch.size", 65536))) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, value(i)));
            }
            producer.send(new ProducerRecord<>(TOPIC, 0, null, value(-1))).get();
        }
    }

    private static byte[] value(int index) {
        return ByteBuffer.allocate(RECORD_BYTES).putInt(index).array();
    }

    /** Reads the partition from the start: the records in order, as produced. Returns how many. */
    private int readAll() {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        int[] next = {0};
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(cluster.bootstrapServers(), Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            await("every record read back").atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    int index = ByteBuffer.wrap(r.value()).getInt();
                    if (index >= 0) {
                        assertThat(index).as("record at offset %d", r.offset()).isEqualTo(next[0]);
                        next[0]++;
                    }
                }
                return next[0] >= RECORDS;
            });
        }
        return next[0];
    }
}
