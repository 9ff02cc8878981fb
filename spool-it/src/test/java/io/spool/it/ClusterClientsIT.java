package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Non-Java clients on a three-node cluster, with a topic of three replicas and min.insync.replicas=2: librdkafka
 * (kcat and confluent-kafka-python) and kafka-python each write with acks=all and read everything back in a group,
 * in order; librdkafka keeps working across the death of a partition leader.
 */
class ClusterClientsIT {
    private static final String KCAT = System.getProperty("spool.it.kcat", "kcat");
    /** Debian's python3, which has python3-confluent-kafka and python3-kafka; a python3 earlier on PATH may not. */
    private static final String PYTHON = System.getProperty("spool.it.python", "/usr/bin/python3");
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int PARTITIONS = 3;
    private static final int COUNT = 300;

    /** Writes COUNT records (acks=all, idempotent) then reads them in a group; prints what it read as JSON. */
    private static final String CONFLUENT = """
            import json, sys, time
            from confluent_kafka import Consumer, Producer, KafkaException
            bootstrap, topic, group, count, tag = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
            producer = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'acks': 'all'})
            failed = []
            def report(err, msg):
                if err is not None:
                    failed.append(str(err))
            for i in range(count):
                producer.produce(topic, value=('%s-%d' % (tag, i)).encode(), partition=i % 3, on_delivery=report)
                producer.poll(0)
            if producer.flush(60) != 0 or failed:
                raise Exception('not delivered: %s' % failed[:5])
            consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
                                 'enable.auto.commit': False})
            consumer.subscribe([topic])
            read, deadline = [], time.time() + 60
            while len([r for r in read if r['value'].startswith(tag + '-')]) < count and time.time() < deadline:
                msg = consumer.poll(0.5)
                if msg is None:
                    continue
                if msg.error():
                    raise KafkaException(msg.error())
                read.append({'partition': msg.partition(), 'offset': msg.offset(), 'value': msg.value().decode()})
            consumer.commit(asynchronous=False)
            consumer.close()
            print(json.dumps(read))
            """;

    /** The same with kafka-python. */
    private static final String KAFKA_PYTHON = """
            import json, sys, time
            from kafka import KafkaConsumer, KafkaProducer
            bootstrap, topic, group, count, tag = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
            producer = KafkaProducer(bootstrap_servers=bootstrap, acks='all', retries=10)
            futures = [producer.send(topic, value=('%s-%d' % (tag, i)).encode(), partition=i % 3)
                       for i in range(count)]
            for f in futures:
                f.get(timeout=60)
            producer.close()
            consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                                     auto_offset_reset='earliest', enable_auto_commit=False)
            read, deadline = [], time.time() + 60
            while len([r for r in read if r['value'].startswith(tag + '-')]) < count and time.time() < deadline:
                for tp, messages in consumer.poll(timeout_ms=500).items():
                    for m in messages:
                        read.append({'partition': m.partition, 'offset': m.offset, 'value': m.value.decode()})
            consumer.commit()
            consumer.close()
            print(json.dumps(read))
            """;

    @TempDir
    static Path dir;
    static SpoolCluster cluster;

    @BeforeAll
    static void start() {
        cluster = SpoolCluster.start(dir.resolve("cluster"), 3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
            cluster.keepLogs("ClusterClientsIT");
        }
    }

    @Test
    void shouldServeConfluentKafkaPythonAcrossALeaderDeath() throws Exception {
        String topic = "confluent-replicated";
        cluster.createTopic(topic, PARTITIONS, 3, Map.of("min.insync.replicas", "2"));
        assertReadInOrder(python(CONFLUENT, topic, "confluent-a", "a"), "a");

        int leader = cluster.leaderOf(new TopicPartition(topic, 0));
        cluster.kill(leader);
        assertReadInOrder(python(CONFLUENT, topic, "confluent-b", "b"), "b");
        cluster.restart(leader);
    }

    @Test
    void shouldServeKafkaPython() throws Exception {
        String topic = "kafka-python-replicated";
        cluster.createTopic(topic, PARTITIONS, 3, Map.of("min.insync.replicas", "2"));
        assertReadInOrder(python(KAFKA_PYTHON, topic, "kafka-python", "k"), "k");
    }

    @Test
    void shouldServeKcat() throws Exception {
        String topic = "kcat-replicated";
        cluster.createTopic(topic, PARTITIONS, 3, Map.of("min.insync.replicas", "2"));
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < COUNT; i++) {
            lines.append("c-").append(i).append('\n');
        }
        ExternalCommand.Result produced = ExternalCommand.run(dir, List.of(KCAT, "-b", cluster.bootstrapServers(),
                "-P", "-t", topic, "-p", "0", "-X", "acks=all", "-X", "enable.idempotence=true"), lines.toString(),
                TIMEOUT);
        assertThat(produced.exitCode()).as(produced.describe()).isZero();
        ExternalCommand.Result consumed = ExternalCommand.run(dir, List.of(KCAT, "-b", cluster.bootstrapServers(),
                "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q"), "", TIMEOUT);
        assertThat(consumed.exitCode()).as(consumed.describe()).isZero();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            expected.add("c-" + i);
        }
        assertThat(consumed.stdout().lines().toList()).isEqualTo(expected);
    }

    /**
     * OffsetForLeaderEpoch, as a consumer validating its position after a leader change asks it: the new leader
     * answers where the old epoch ended, and refuses a stale current epoch.
     */
    @Test
    void shouldAnswerOffsetForLeaderEpochAfterALeaderChange() throws Exception {
        String topic = "epochs";
        cluster.createTopic(topic, 1, 3, Map.of("min.insync.replicas", "2"));
        TopicPartition tp = new TopicPartition(topic, 0);
        AckedRecords.produce(cluster.bootstrapServers(), topic, 1, 10, "before", new java.util.Random(1));
        int first = cluster.leaderOf(tp);
        cluster.kill(first);
        int second = cluster.awaitLeaderOtherThan(tp, first, Duration.ofSeconds(60));
        AckedRecords.produce(cluster.bootstrapServers(), topic, 1, 5, "after", new java.util.Random(2));
        int epoch = leaderEpoch(cluster.node(second).port(), topic);

        OffsetForLeaderEpochResponseData.EpochEndOffset old = offsetForLeaderEpoch(cluster.node(second).port(),
                topic, epoch, 0);
        OffsetForLeaderEpochResponseData.EpochEndOffset current = offsetForLeaderEpoch(cluster.node(second).port(),
                topic, epoch, epoch);
        OffsetForLeaderEpochResponseData.EpochEndOffset stale = offsetForLeaderEpoch(cluster.node(second).port(),
                topic, epoch - 1, 0);
        cluster.restart(first);

        assertThat(old.errorCode()).isZero();
        assertThat(old.leaderEpoch()).isZero();
        assertThat(old.endOffset()).as("where epoch 0 ended").isEqualTo(10);
        assertThat(current.leaderEpoch()).isEqualTo(epoch);
        assertThat(current.endOffset()).as("the log end in the current epoch").isEqualTo(15);
        assertThat(stale.errorCode()).isEqualTo(Errors.FENCED_LEADER_EPOCH.code());
    }

    /** The leader epoch of partition 0 as the node on {@code port} reports it in Metadata. */
    private static int leaderEpoch(int port, String topic) {
        try (WireConnection wire = WireConnection.open(port, Duration.ofSeconds(10))) {
            MetadataResponseData metadata = wire.request(ApiKeys.METADATA, (short) 12, 1, new MetadataRequestData()
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic))));
            return metadata.topics().find(topic).partitions().get(0).leaderEpoch();
        }
    }

    private static OffsetForLeaderEpochResponseData.EpochEndOffset offsetForLeaderEpoch(int port, String topic,
            int currentEpoch, int epoch) {
        OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
        OffsetForLeaderEpochRequestData.OffsetForLeaderTopic t = new OffsetForLeaderEpochRequestData
                .OffsetForLeaderTopic().setTopic(topic);
        t.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0)
                .setCurrentLeaderEpoch(currentEpoch).setLeaderEpoch(epoch));
        request.topics().add(t);
        try (WireConnection wire = WireConnection.open(port, Duration.ofSeconds(10))) {
            OffsetForLeaderEpochResponseData response = wire.request(ApiKeys.OFFSET_FOR_LEADER_EPOCH, (short) 4, 2,
                    request);
            return response.topics().find(topic).partitions().get(0);
        }
    }

    private ExternalCommand.Result python(String script, String topic, String group, String tag) {
        return ExternalCommand.run(dir, List.of(PYTHON, "-c", script, cluster.bootstrapServers(), topic, group,
                String.valueOf(COUNT), tag), "", TIMEOUT);
    }

    /** Every record tagged {@code tag} read exactly once, and in write order within each partition. */
    private static void assertReadInOrder(ExternalCommand.Result result, String tag) throws Exception {
        assertThat(result.exitCode()).as(result.describe()).isZero();
        JsonNode read = new ObjectMapper().readTree(result.stdout());
        Map<Integer, List<Integer>> sequences = new HashMap<>();
        for (JsonNode r : read) {
            String value = r.get("value").asText();
            if (value.startsWith(tag + "-")) {
                sequences.computeIfAbsent(r.get("partition").asInt(), p -> new ArrayList<>())
                        .add(Integer.parseInt(value.substring(tag.length() + 1)));
            }
        }
        assertThat(sequences.values().stream().mapToInt(List::size).sum()).as("records read").isEqualTo(COUNT);
        sequences.forEach((partition, values) -> {
            List<Integer> expected = new ArrayList<>();
            for (int i = partition; i < COUNT; i += PARTITIONS) {
                expected.add(i);
            }
            assertThat(values).as("partition %d in order, exactly once", partition).isEqualTo(expected);
        });
    }
}
