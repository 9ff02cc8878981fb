package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broker-only nodes joining the metadata quorum as Ratis listeners at the same time, as a cluster starts. */
class ListenerJoinTest {
    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryListenerWhenSeveralJoinAtOnce() throws Exception {
        Map<Integer, InetSocketAddress> voters = Map.of(1, loopback());
        List<RatisMetadataQuorum> nodes = new ArrayList<>();
        try {
            RatisMetadataQuorum voter = new RatisMetadataQuorum(1, voters, dir.resolve("node-1"), "test");
            nodes.add(voter);
            voter.start();
            List<Thread> joins = new ArrayList<>();
            for (int id = 2; id <= 4; id++) {
                RatisMetadataQuorum listener = RatisMetadataQuorum.listener(id, loopback(), voters,
                        dir.resolve("node-" + id), "test");
                nodes.add(listener);
                Thread join = new Thread(() -> {
                    try {
                        listener.start();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                join.start();
                joins.add(join);
            }
            for (Thread join : joins) {
                join.join(60_000);
            }

            voter.append(List.of(new ProducerIdsRecord(1, 5000))).get(30, TimeUnit.SECONDS);

            for (RatisMetadataQuorum listener : nodes.subList(1, nodes.size())) {
                Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> listener.image().nextProducerId() == 5000);
            }
        } finally {
            nodes.forEach(RatisMetadataQuorum::close);
        }
    }

    private static InetSocketAddress loopback() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
        }
    }
}
