package io.spool.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Time for a consumer group to stabilise: starts a node, a topic and N members that subscribe to it, waits until
 * every partition is owned by exactly one member and every member owns some, then adds one member and measures
 * how long until that holds again.
 */
@Command(name = "group-rebalance", mixinStandardHelpOptions = true,
        description = "Measure how long a large consumer group takes to stabilise after a member joins.")
public final class GroupRebalanceBenchmark implements Callable<Integer> {
    static final String TOPIC = "rebalance-bench";

    @Option(names = "--dir", defaultValue = "bench-group", description = "Working directory (default: ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--members", defaultValue = "50", description = "Members before the join (default: ${DEFAULT-VALUE})")
    int members;

    @Option(names = "--partitions", defaultValue = "500", description = "Partitions (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--protocol", defaultValue = "consumer",
            description = "group.protocol: classic or consumer (default: ${DEFAULT-VALUE})")
    String protocol;

    @Option(names = "--timeout-s", defaultValue = "300", description = "Give up after (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    private final PrintStream out = System.out;
    private final Map<Integer, Set<TopicPartition>> owned = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    @Override
    public Integer call() throws Exception {
        SpoolNode node = new SpoolNode(dir.toAbsolutePath(), Map.of("group.initial.rebalance.delay.ms", "0"));
        node.launch();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrap()))) {
            awaitTopic(admin);
            long start = System.nanoTime();
            for (int i = 0; i < members; i++) {
                startMember(node.bootstrap(), i);
            }
            long first = awaitStable(members, start);
            out.printf("%d members over %d partitions (%s protocol): stable %d ms after they started%n", members,
                    partitions, protocol, first);
            long join = System.nanoTime();
            startMember(node.bootstrap(), members);
            long rejoin = awaitStable(members + 1, join);
            out.printf("member %d joined: group stable again in %d ms%n", members + 1, rejoin);
        } finally {
            running = false;
            for (Thread t : threads) {
                t.join(30_000);
            }
            node.stop();
        }
        return 0;
    }

    private void awaitTopic(Admin admin) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        while (true) {
            try {
                admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short) 1))).all().get();
                return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private void startMember(String bootstrap, int id) {
        owned.put(id, ConcurrentHashMap.newKeySet());
        Thread thread = new Thread(() -> runMember(bootstrap, id), "member-" + id);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void runMember(String bootstrap, int id) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "rebalance-bench", ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            Set<TopicPartition> mine = owned.get(id);
            consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                    mine.removeAll(revoked);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
                    mine.addAll(assigned);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> lost) {
                    mine.removeAll(lost);
                }
            });
            while (running) {
                consumer.poll(Duration.ofMillis(100));
            }
        }
    }

    /** Milliseconds from {@code since} until each partition has exactly one owner and each member owns some. */
    private long awaitStable(int expectedMembers, long since) throws InterruptedException {
        long deadline = since + Duration.ofSeconds(timeoutSeconds).toNanos();
        while (System.nanoTime() < deadline) {
            Set<TopicPartition> all = new HashSet<>();
            int total = 0;
            boolean everyoneOwns = owned.size() == expectedMembers;
            for (Set<TopicPartition> mine : owned.values()) {
                total += mine.size();
                all.addAll(mine);
                everyoneOwns &= !mine.isEmpty();
            }
            if (everyoneOwns && all.size() == partitions && total == partitions) {
                return (System.nanoTime() - since) / 1_000_000;
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("Group did not stabilise within " + timeoutSeconds + " s");
    }
}
