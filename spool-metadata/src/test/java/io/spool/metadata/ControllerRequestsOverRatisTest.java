package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Controller requests carried over the metadata quorum ({@link MetadataQuorum#sendToController}) on three real Ratis
 * voters and a listener on loopback: only the leader serves them, whoever sends them, and its handler may answer
 * later.
 */
class ControllerRequestsOverRatisTest {
    @TempDir
    Path dir;

    private final Map<Integer, RatisMetadataQuorum> nodes = new TreeMap<>();
    private final Map<Integer, AtomicInteger> served = new TreeMap<>();
    private Map<Integer, InetSocketAddress> voters;

    @BeforeEach
    void startThreeVotersAndAListener() throws Exception {
        voters = Map.of(1, loopback(), 2, loopback(), 3, loopback());
        List<Thread> starts = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            RatisMetadataQuorum quorum = new RatisMetadataQuorum(id, voters, dir.resolve("node-" + id), "test");
            serve(id, quorum);
            nodes.put(id, quorum);
            Thread start = new Thread(() -> startQuietly(quorum));
            start.start();
            starts.add(start);
        }
        for (Thread start : starts) {
            start.join(60_000);
        }
        RatisMetadataQuorum listener = RatisMetadataQuorum.listener(4, loopback(), voters, dir.resolve("node-4"),
                "test");
        nodes.put(4, listener);
        listener.start();
    }

    @AfterEach
    void stop() {
        nodes.values().forEach(RatisMetadataQuorum::close);
    }

    @Test
    void shouldBeAnsweredByTheLeaderWhenAFollowerOrAListenerSends() throws Exception {
        int leader = awaitLeader();
        for (int sender : List.of(follower(leader), 4)) {
            awaitLeaderKnownTo(sender, leader);
            byte[] answer = nodes.get(sender).sendToController(leader, bytes("ping from " + sender))
                    .get(30, TimeUnit.SECONDS);
            assertThat(text(answer)).isEqualTo("node-" + leader + " answers ping from " + sender);
        }
        assertThat(served.get(leader)).hasValue(2);
    }

    @Test
    void shouldBeRefusedByAVoterThatDoesNotLead() {
        int leader = awaitLeader();
        int follower = follower(leader);
        CompletableFuture<byte[]> answer = nodes.get(4).sendToController(follower, bytes("ping"));
        assertThatThrownBy(() -> answer.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(NotControllerException.class).cause().isInstanceOf(NotLeaderException.class);
        assertThat(served.get(follower)).hasValue(0);
    }

    @Test
    void shouldFailAtAStoppedLeaderAndBeAnsweredByItsSuccessor() throws Exception {
        int leader = awaitLeader();
        nodes.remove(leader).close();
        CompletableFuture<byte[]> atOldLeader = nodes.get(4).sendToController(leader, bytes("ping"));
        assertThatThrownBy(() -> atOldLeader.get(30, TimeUnit.SECONDS)).cause()
                .isInstanceOf(NotControllerException.class);
        int successor = awaitLeader();
        awaitLeaderKnownTo(4, successor);
        byte[] answer = nodes.get(4).sendToController(successor, bytes("ping")).get(30, TimeUnit.SECONDS);
        assertThat(text(answer)).isEqualTo("node-" + successor + " answers ping");
    }

    /** Each voter answers a little later, on another thread, as a controller does once its records commit. */
    private void serve(int id, RatisMetadataQuorum quorum) {
        AtomicInteger count = new AtomicInteger();
        served.put(id, count);
        quorum.serveControllerRequests(request -> {
            count.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> bytes("node-" + id + " answers " + text(request)),
                    CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
        });
    }

    private int awaitLeader() {
        return Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> nodes.entrySet().stream()
                .filter(e -> e.getValue().isActiveController()).map(Map.Entry::getKey).findFirst().orElse(-1),
                id -> id > 0);
    }

    private void awaitLeaderKnownTo(int node, int leader) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> nodes.get(node).leaderId() == leader);
    }

    private int follower(int leader) {
        return voters.keySet().stream().filter(id -> id != leader && nodes.containsKey(id)).findFirst().orElseThrow();
    }

    private static void startQuietly(RatisMetadataQuorum quorum) {
        try {
            quorum.start();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static InetSocketAddress loopback() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
