package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A group of 50 members over 500 partitions stabilises, with either protocol: every partition owned by exactly one
 * member, every member owning some; and again after a 51st member joins. How long that takes is measured by
 * {@code spool bench group-rebalance}, not here.
 */
class LargeGroupIT {
    private static final int MEMBERS = 50;
    private static final int PARTITIONS = 500;
    private static final String TOPIC = "large-group";

    @TempDir
    Path dir;
    SpoolProcess spool;
    final Map<Integer, Set<TopicPartition>> owned = new ConcurrentHashMap<>();
    final List<Thread> members = new ArrayList<>();
    volatile boolean running = true;

    @AfterEach
    void stop() throws InterruptedException {
        running = false;
        for (Thread t : members) {
            t.join(30_000);
        }
        if (spool != null) {
            spool.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void shouldStabiliseWhenFiftyMembersShareFiveHundredPartitionsAndOneMoreJoins(String protocol) throws Exception {
        spool = SpoolProcess.start(dir, Map.of("group.initial.rebalance.delay.ms", "0"));
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
        }
        for (int i = 0; i < MEMBERS; i++) {
            startMember(i, protocol);
        }
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> isStable(MEMBERS));
        startMember(MEMBERS, protocol);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                .until(() -> isStable(MEMBERS + 1));
        assertThat(owned.get(MEMBERS)).isNotEmpty();
    }

    private boolean isStable(int expectedMembers) {
        if (owned.size() != expectedMembers) {
            return false;
        }
        Set<TopicPartition> all = new HashSet<>();
        int total = 0;
        for (Set<TopicPartition> mine : owned.values()) {
            if (mine.isEmpty()) {
                return false;
            }
            total += mine.size();
            all.addAll(mine);
        }
        return all.size() == PARTITIONS && total == PARTITIONS;
    }

    private void startMember(int id, String protocol) {
        Set<TopicPartition> mine = ConcurrentHashMap.newKeySet();
        owned.put(id, mine);
        Thread thread = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(spool.bootstrap(), Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, "large-" + protocol,
                    ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol))) {
                consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        mine.removeAll(partitions);
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        mine.addAll(partitions);
                    }

                    @Override
                    public void onPartitionsLost(Collection<TopicPartition> partitions) {
                        mine.removeAll(partitions);
                    }
                });
                while (running) {
                    consumer.poll(Duration.ofMillis(100));
                }
            }
        }, "member-" + id);
        thread.setDaemon(true);
        members.add(thread);
        thread.start();
    }
}
