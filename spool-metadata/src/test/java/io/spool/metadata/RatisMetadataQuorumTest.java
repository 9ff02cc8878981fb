package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RatisMetadataQuorumTest {
    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private RatisMetadataQuorum quorum(int port, long snapshotThreshold) {
        return new RatisMetadataQuorum(1, Map.of(1, new InetSocketAddress("127.0.0.1", port)), dir, "test-cluster",
                snapshotThreshold);
    }

    /**
     * Three voters and a listener: one voter is stopped while the others write past a snapshot and purge their
     * logs; on its return it (and a listener that joins only then) must catch up from the snapshot and end with the
     * same image.
     */
    @Test
    void shouldCatchUpALaggingVoterAndANewListenerFromASnapshot() throws Exception {
        Map<Integer, InetSocketAddress> voters = Map.of(1, new InetSocketAddress("127.0.0.1", freePort()),
                2, new InetSocketAddress("127.0.0.1", freePort()), 3, new InetSocketAddress("127.0.0.1", freePort()));
        List<RatisMetadataQuorum> running = new ArrayList<>();
        try {
            for (int id = 1; id <= 3; id++) {
                running.add(new RatisMetadataQuorum(id, voters, dir.resolve("node-" + id), "test-cluster", 20));
            }
            List<Thread> starts = new ArrayList<>();
            for (RatisMetadataQuorum q : running) {
                Thread t = new Thread(() -> {
                    try {
                        q.start();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                t.start();
                starts.add(t);
            }
            for (Thread t : starts) {
                t.join(60_000);
            }
            RatisMetadataQuorum lagging = running.stream().filter(q -> !q.isActiveController()).findFirst()
                    .orElseThrow();
            int laggingId = running.indexOf(lagging) + 1;
            lagging.close();
            RatisMetadataQuorum leader = awaitActive(running, lagging);
            for (int i = 0; i < 100; i++) {
                leader = awaitActive(running, lagging);
                leader.append(List.of(new ProducerIdsRecord(1, 1000L * (i + 1)))).get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            MetadataImage expected = leader.image();
            assertThat(snapshotFiles()).isNotEmpty();

            RatisMetadataQuorum returned = new RatisMetadataQuorum(laggingId, voters, dir.resolve("node-" + laggingId),
                    "test-cluster", 20);
            running.set(laggingId - 1, returned);
            returned.start();
            RatisMetadataQuorum listener = RatisMetadataQuorum.listener(4, new InetSocketAddress("127.0.0.1",
                    freePort()), voters, dir.resolve("node-4"), "test-cluster", 20);
            running.add(listener);
            listener.start();

            for (RatisMetadataQuorum q : List.of(returned, listener)) {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                        .until(() -> q.image().nextProducerId() == expected.nextProducerId());
                assertThat(q.isActiveController()).isFalse();
            }
        } finally {
            running.forEach(RatisMetadataQuorum::close);
        }
    }

    private static RatisMetadataQuorum awaitActive(List<RatisMetadataQuorum> quorums, RatisMetadataQuorum down) {
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .until(() -> quorums.stream().filter(q -> q != down && q.isActiveController()).findFirst(),
                        java.util.Optional::isPresent).orElseThrow();
    }

    /**
     * One controller operation's records travel as one Raft entry: records above {@code MAX_RECORDS_BYTES} are
     * refused before they reach Ratis, and this node still leads the next append; records just below fit the log's
     * write buffer and survive a restart.
     */
    @Test
    void shouldRefuseAnOversizedEntryAndKeepServing() throws Exception {
        int port = freePort();
        String value = "v".repeat(30_000);
        try (RatisMetadataQuorum quorum = quorum(port, 0)) {
            quorum.start();
            assertThatThrownBy(() -> quorum.append(configs("big", 150, value)).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(MetadataTooLargeException.class);
            long offset = quorum.append(configs("fits", 135, value)).get(30, TimeUnit.SECONDS);
            assertThat(quorum.image().offset()).isEqualTo(offset);
        }
        try (RatisMetadataQuorum restarted = quorum(port, 0)) {
            restarted.start();
            assertThat(restarted.image().configs().topicConfigs("fits")).hasSize(135);
            assertThat(restarted.image().configs().topicConfigs("big")).isEmpty();
        }
    }

    private static List<MetadataRecord> configs(String topic, int count, String value) {
        List<MetadataRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new ConfigRecord(ConfigResourceType.TOPIC, topic, "name." + i, value));
        }
        return records;
    }

    @Test
    void shouldKeepTopicsAcrossRestartWhenReplayingTheLog() throws Exception {
        MetadataImage before = restartScenario(0, false);
        assertThat(snapshotFiles()).isEmpty();
        assertThat(before.topics().all()).extracting(TopicImage::name).containsExactlyInAnyOrder("a", "c");
    }

    @Test
    void shouldKeepTopicsAcrossRestartWhenLoadingSnapshotAndReplayingTheRest() throws Exception {
        restartScenario(0, true);
        assertThat(snapshotFiles()).isNotEmpty();
    }

    private List<Path> snapshotFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("snapshot.")).toList();
        }
    }

    /** Creates, deletes and allocates, restarts, and checks the restarted image equals the one before. */
    private MetadataImage restartScenario(long snapshotThreshold, boolean snapshotMidway) throws Exception {
        int port = freePort();
        MetadataImage before;
        List<Long> listenedOffsets = new ArrayList<>();
        try (RatisMetadataQuorum quorum = quorum(port, snapshotThreshold)) {
            quorum.addListener((image, delta) -> listenedOffsets.add(image.offset()));
            quorum.start();
            long registered = quorum.append(List.of(new RegisterBrokerRecord(1, "test-cluster", 7,
                    List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 9092)), null),
                    new UnfenceBrokerRecord(1, 7))).get();
            assertThat(quorum.image().offset()).isEqualTo(registered);
            try (Controller controller = new Controller(quorum, Clock.systemUTC(), ControllerSettings.defaults())) {
                List<CreateTopicResult> created = controller.createTopics(List.of(CreateTopicSpec.of("a", 3, 1),
                        CreateTopicSpec.of("b", 1, 1).withConfigs(Map.of("cleanup.policy", "compact"))), false).get();
                assertThat(created).extracting(CreateTopicResult::error).containsOnly(Errors.NONE);
                assertThat(quorum.image().topics().byName("a").orElseThrow().partitions()).hasSize(3);
                assertThat(controller.allocateProducerIds(1, 1000).get().firstProducerId()).isZero();
                if (snapshotMidway) {
                    quorum.takeSnapshot();
                }
                assertThat(controller.deleteTopics(List.of("b"), List.of()).get())
                        .extracting(DeleteTopicResult::error).containsOnly(Errors.NONE);
                assertThat(controller.createTopics(List.of(CreateTopicSpec.of("c", 2, 1)), false).get())
                        .extracting(CreateTopicResult::error).containsOnly(Errors.NONE);
            }
            before = quorum.image();
        }
        assertThat(listenedOffsets).isSorted().doesNotHaveDuplicates().endsWith(before.offset());

        try (RatisMetadataQuorum restarted = quorum(port, snapshotThreshold)) {
            restarted.start();
            MetadataImage after = restarted.image();
            assertThat(after.offset()).isGreaterThanOrEqualTo(before.offset());
            assertThat(after.topics()).isEqualTo(before.topics());
            assertThat(after.configs()).isEqualTo(before.configs());
            assertThat(after.cluster()).isEqualTo(before.cluster());
            assertThat(after.nextProducerId()).isEqualTo(1000);
            try (Controller controller = new Controller(restarted, Clock.systemUTC(), ControllerSettings.defaults())) {
                assertThat(controller.allocateProducerIds(1, 1000).get().firstProducerId()).isEqualTo(1000);
                assertThat(controller.createTopics(List.of(CreateTopicSpec.of("a", 1, 1)), false).get())
                        .extracting(CreateTopicResult::error).containsOnly(Errors.TOPIC_ALREADY_EXISTS);
            }
        }
        return before;
    }
}
