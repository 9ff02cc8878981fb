package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * DeleteRecords on a replicated partition (three nodes, RF=3, 16 KiB segments): the leader answers only once every
 * live replica has moved its log start offset (the low watermark), the followers delete their old segments too, and
 * a follower that takes over after the leader is killed starts at the deleted offset.
 */
class ReplicatedDeleteRecordsIT {
    private static final String TOPIC = "replicated-trim";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private SpoolCluster cluster;

    @RegisterExtension
    final AfterTestExecutionCallback logsOnFailure = SpoolCluster.logsOnFailure(() -> cluster);

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void shouldMoveEveryReplicasStartOffsetBeforeAnsweringAndKeepItAcrossFailover() throws Exception {
        cluster = SpoolCluster.start(dir, 3, Map.of("log.segment.bytes", "16384",
                "log.retention.check.interval.ms", "200", "log.segment.delete.delay.ms", "500"));
        cluster.createTopic(TOPIC, 1, 3, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(cluster.bootstrapServers(), Map.of())) {
            List<Future<?>> acks = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                acks.add(producer.send(new ProducerRecord<>(TOPIC, 0, bytes("k" + i), bytes(i + "v".repeat(500)))));
            }
            for (Future<?> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }
        cluster.awaitFullIsr(TOPIC, LIMIT);
        int leader = cluster.leaderOf(TP);

        long lowWatermark = cluster.admin().deleteRecords(Map.of(TP, RecordsToDelete.beforeOffset(600)))
                .lowWatermarks().get(TP).get(60, TimeUnit.SECONDS).lowWatermark();

        assertThat(lowWatermark).as("the lowest start offset over the replicas").isEqualTo(600);
        for (int id = 1; id <= 3; id++) {
            Path partitionDir = cluster.partitionDir(id, TP);
            await("old segments of node " + id + " deleted").atMost(LIMIT)
                    .until(() -> firstSegmentBase(partitionDir) > 0);
            assertThat(firstSegmentBase(partitionDir)).isLessThanOrEqualTo(600);
        }

        cluster.kill(leader);
        cluster.awaitLeaderOtherThan(TP, leader, LIMIT);

        await("earliest offset on the new leader").atMost(LIMIT).ignoreExceptions().until(() -> cluster.admin()
                .listOffsets(Map.of(TP, OffsetSpec.earliest())).partitionResult(TP).get(10, TimeUnit.SECONDS)
                .offset() == 600);
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(cluster.bootstrapServers(), Map.of())) {
            consumer.assign(List.of(TP));
            consumer.seekToBeginning(List.of(TP));
            List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
            await("records from the new leader").atMost(LIMIT).until(() -> {
                read.addAll(consumer.poll(Duration.ofMillis(200)).records(TP));
                return read.size() >= 400;
            });
            assertThat(read.get(0).offset()).isEqualTo(600);
            assertThat(read).hasSize(400);
            assertThat(read.get(399).offset()).isEqualTo(999);
        }
    }

    private static long firstSegmentBase(Path partitionDir) {
        try (Stream<Path> files = Files.list(partitionDir)) {
            String name = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log")).sorted()
                    .findFirst().orElseThrow();
            return Long.parseLong(name.substring(0, name.length() - ".log".length()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
