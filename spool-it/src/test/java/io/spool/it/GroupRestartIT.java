package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spool.it.GroupIT.Protocol;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Committed offsets of real kafka-clients groups, classic and KIP-848, survive a restart of the node that keeps
 * them: stopped cleanly, and killed with SIGKILL while their members were still in the groups.
 */
class GroupRestartIT {
    @TempDir
    Path dir;

    /** How a node goes down between a group's commits and its consumer's return. */
    enum Shutdown {
        /** SIGTERM after the group's consumers left: a clean shutdown. */
        STOP,
        /** SIGKILL while the consumers are still members: no clean-shutdown marker, members left in the log. */
        KILL
    }

    /**
     * Two groups, one of each protocol, commit different offsets of one topic (twice: the second commit is the
     * one that counts); the node goes down and comes back; each group's committed offsets are listed as they were
     * committed, and a consumer coming back to each group receives every partition exactly from its committed
     * offset to the end, records written after the restart included.
     */
    @ParameterizedTest
    @EnumSource(Shutdown.class)
    void shouldResumeAtTheCommittedOffsetsWhenTheNodeRestarts(Shutdown shutdown) throws Exception {
        String topic = "resume";
        SpoolProcess node = SpoolProcess.start(dir.resolve("node"), GroupIT.FAST_GROUPS);
        try (node) {
            GroupAdmin.createTopic(node, topic, 3);
            GroupAdmin.produceToEachPartition(node, topic, 3, 0, 100);
            Map<Protocol, Map<TopicPartition, Long>> commits = Map.of(
                    Protocol.CLASSIC, offsets(topic, 37, 64, 100),
                    Protocol.CONSUMER, offsets(topic, 5, 99, 50));
            List<KafkaConsumer<byte[], byte[]>> first = new ArrayList<>();
            try (Admin admin = Clients.admin(node.bootstrap())) {
                for (Protocol protocol : Protocol.GROUP_TYPES) {
                    first.add(consumeAllThenCommit(node, topic, "resume-" + protocol.lower(), protocol,
                            commits.get(protocol)));
                    assertThat(GroupAdmin.committedOffsets(admin, "resume-" + protocol.lower()))
                            .as("%s offsets listed before the restart", protocol).isEqualTo(commits.get(protocol));
                }
            }
            if (shutdown == Shutdown.STOP) {
                first.forEach(KafkaConsumer::close);
                node.stop();
            } else {
                node.kill();
                // Closed while the node is down: they cannot leave the group, their sessions expire after the restart.
                first.forEach(c -> c.close(CloseOptions.timeout(Duration.ofSeconds(1))));
            }
            node.restart();

            try (Admin admin = Clients.admin(node.bootstrap())) {
                for (Protocol protocol : Protocol.GROUP_TYPES) {
                    await(protocol + " offsets listed after the restart").atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                            .until(() -> GroupAdmin.committedOffsets(admin, "resume-" + protocol.lower()),
                                    commits.get(protocol)::equals);
                }
                GroupAdmin.produceToEachPartition(node, topic, 3, 100, 110);
                Map<TopicPartition, Long> ends = GroupAdmin.endOffsets(admin, topic);
                for (Protocol protocol : Protocol.GROUP_TYPES) {
                    assertResumesAt(node, topic, "resume-" + protocol.lower(), protocol, commits.get(protocol), ends);
                    assertThat(GroupAdmin.committedOffsets(admin, "resume-" + protocol.lower()))
                            .as("%s offsets after the second consumer committed", protocol).isEqualTo(ends);
                }
            }
        } finally {
            node.keepLog("GroupRestartIT-" + shutdown);
        }
    }

    /**
     * A consumer in {@code group} reads until it has every record of the topic, then commits {@code commit} in two
     * steps (half-way first, then the offsets themselves); left open.
     */
    private static KafkaConsumer<byte[], byte[]> consumeAllThenCommit(SpoolProcess node, String topic, String group,
            Protocol protocol, Map<TopicPartition, Long> commit) {
        KafkaConsumer<byte[], byte[]> consumer = groupConsumer(node, group, protocol);
        consumer.subscribe(List.of(topic));
        Map<TopicPartition, Long> next = new HashMap<>();
        await(group + " consumes the topic").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(r ->
                    next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1));
            return next.size() == commit.size() && next.values().stream().allMatch(n -> n == 100);
        });
        Map<TopicPartition, OffsetAndMetadata> halfWay = new HashMap<>();
        commit.forEach((tp, o) -> halfWay.put(tp, new OffsetAndMetadata(o / 2)));
        consumer.commitSync(halfWay);
        Map<TopicPartition, OffsetAndMetadata> last = new HashMap<>();
        commit.forEach((tp, o) -> last.put(tp, new OffsetAndMetadata(o)));
        consumer.commitSync(last);
        return consumer;
    }

    /**
     * A new consumer in {@code group} receives each partition from its committed offset, every record once, to the
     * end; it commits and closes.
     */
    private static void assertResumesAt(SpoolProcess node, String topic, String group, Protocol protocol,
            Map<TopicPartition, Long> committed, Map<TopicPartition, Long> ends) {
        Map<TopicPartition, List<Long>> received = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = groupConsumer(node, group, protocol)) {
            consumer.subscribe(List.of(topic));
            await(group + " consumes to the end after the restart").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ZERO).until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(r -> received.computeIfAbsent(
                                new TopicPartition(r.topic(), r.partition()), tp -> new ArrayList<>()).add(r.offset()));
                        return ends.entrySet().stream().allMatch(e -> {
                            List<Long> got = received.getOrDefault(e.getKey(), List.of());
                            return !got.isEmpty() && got.get(got.size() - 1) == e.getValue() - 1;
                        });
                    });
            consumer.commitSync();
        }
        ends.forEach((tp, end) -> assertThat(received.get(tp)).as("%s received %s from its committed offset %d",
                group, tp, committed.get(tp)).containsExactlyElementsOf(
                        LongStream.range(committed.get(tp), end).boxed().toList()));
    }

    private static KafkaConsumer<byte[], byte[]> groupConsumer(SpoolProcess node, String group, Protocol protocol) {
        Map<String, Object> settings = new HashMap<>(protocol.settings);
        settings.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        return Clients.consumer(node.bootstrap(), settings);
    }

    private static Map<TopicPartition, Long> offsets(String topic, long... perPartition) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (int p = 0; p < perPartition.length; p++) {
            offsets.put(new TopicPartition(topic, p), perPartition[p]);
        }
        return offsets;
    }
}
