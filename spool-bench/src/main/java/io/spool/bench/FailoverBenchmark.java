package io.spool.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Failover time of a three-node cluster: an idempotent acks=all producer writes a steady stream to a partition with
 * three replicas (min.insync.replicas=2) while its leader is killed (SIGKILL) or stopped cleanly (SIGTERM, a
 * controlled shutdown). The failover time is the time from the fault to the first acknowledgement after it (or a
 * longer gap between later acknowledgements): how long producers could not write. The node comes back before the next round, and every round targets
 * the partition's leader of the moment.
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = "Measure how long producers stall when a partition leader dies or stops, on a 3-node cluster.")
public final class FailoverBenchmark implements Callable<Integer> {
    private static final String TOPIC = "failover-bench";

    @Option(names = "--dir", description = "Working directory (default: ${DEFAULT-VALUE})",
            defaultValue = "bench-failover")
    Path dir;

    @Option(names = "--rounds", description = "Faults of each kind (default: ${DEFAULT-VALUE})", defaultValue = "3")
    int rounds;

    @Option(names = "--rate", description = "Records per second the producer sends (default: ${DEFAULT-VALUE})",
            defaultValue = "500")
    int rate;

    @Option(names = "--override", paramLabel = "KEY=VALUE", description = "A server setting for every node.")
    Map<String, String> overrides = new java.util.LinkedHashMap<>();

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        List<SpoolNode> nodes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            nodes.add(new SpoolNode(dir.toAbsolutePath().resolve("node-" + i), overrides));
        }
        StringBuilder voters = new StringBuilder();
        for (int i = 0; i < nodes.size(); i++) {
            voters.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:").append(nodes.get(i).controllerPort());
        }
        StringBuilder bootstrap = new StringBuilder();
        for (int i = 0; i < nodes.size(); i++) {
            SpoolNode node = nodes.get(i);
            node.override("node.id", String.valueOf(i + 1));
            node.override("controller.quorum.voters", voters.toString());
            bootstrap.append(i == 0 ? "" : ",").append(node.bootstrap());
        }
        nodes.forEach(FailoverBenchmark::launch);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.toString()))) {
            awaitBrokers(admin, 3);
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3)
                    .configs(Map.of("min.insync.replicas", "2")))).all().get();
            List<Long> kills = new ArrayList<>();
            List<Long> stops = new ArrayList<>();
            try (Writer writer = new Writer(bootstrap.toString(), rate)) {
                writer.start();
                awaitAcks(writer, 200);
                for (int round = 0; round < rounds; round++) {
                    kills.add(fault(admin, nodes, writer, true));
                    stops.add(fault(admin, nodes, writer, false));
                }
                out.printf("acknowledged %,d records, %,d send failures%n", writer.acked.get(), writer.failed.get());
            }
            report("leader killed (SIGKILL)", kills);
            report("leader stopped (SIGTERM, controlled shutdown)", stops);
        } finally {
            for (SpoolNode node : nodes) {
                if (node.isAlive()) {
                    node.stop();
                }
            }
        }
        return 0;
    }

    private static void launch(SpoolNode node) {
        try {
            node.launch();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** One fault on the current leader; returns the longest gap between acknowledgements around it, in ms. */
    private long fault(Admin admin, List<SpoolNode> nodes, Writer writer, boolean kill) throws Exception {
        int leader = leaderId(admin);
        SpoolNode node = nodes.get(leader - 1);
        awaitAcks(writer, 200);
        long faultNs = System.nanoTime();
        writer.acks.clear();
        if (kill) {
            node.kill();
        } else {
            node.stop();
        }
        // Writing again: some acknowledgements after the fault.
        awaitAcks(writer, rate);
        long gap = writer.longestGapAfter(faultNs);
        out.printf("%s node %d: producers stalled %d ms%n", kill ? "killed" : "stopped", leader, gap);
        launch(node);
        awaitFullIsr(admin);
        return gap;
    }

    private static int leaderId(Admin admin) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            TopicDescription description = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
            TopicPartitionInfo p = description.partitions().get(0);
            if (p.leader() != null && p.leader().id() > 0) {
                return p.leader().id();
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("No leader for " + TOPIC + " within 120 s");
    }

    private static void awaitFullIsr(Admin admin) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            try {
                TopicPartitionInfo p = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC)
                        .partitions().get(0);
                if (p.isr().size() == 3 && p.leader() != null) {
                    return;
                }
            } catch (Exception e) {
                // the cluster is still settling
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("The restarted node did not rejoin the ISR within 180 s");
    }

    private static void awaitBrokers(Admin admin, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                if (admin.describeCluster().nodes().get().size() >= count) {
                    return;
                }
            } catch (Exception e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(count + " brokers did not come up within 120 s");
    }

    private static void awaitAcks(Writer writer, int count) throws InterruptedException {
        long target = writer.acked.get() + count;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (writer.acked.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Producers did not write again within 180 s");
            }
            Thread.sleep(10);
        }
    }

    private void report(String what, List<Long> gaps) {
        List<Long> sorted = new ArrayList<>(gaps);
        Collections.sort(sorted);
        out.printf("%s: median %d ms, min %d ms, max %d ms over %d faults%n", what, sorted.get(sorted.size() / 2),
                sorted.get(0), sorted.get(sorted.size() - 1), sorted.size());
    }

    /** A paced idempotent acks=all producer that records when each acknowledgement arrived. */
    private static final class Writer extends Thread implements AutoCloseable {
        final ConcurrentLinkedQueue<Long> acks = new ConcurrentLinkedQueue<>();
        final AtomicLong acked = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final KafkaProducer<byte[], byte[]> producer;
        private final long intervalNs;

        Writer(String bootstrap, int rate) {
            super("failover-writer");
            setDaemon(true);
            this.intervalNs = TimeUnit.SECONDS.toNanos(1) / Math.max(1, rate);
            this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000, ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 20),
                    new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public void run() {
            byte[] value = new byte[100];
            long next = System.nanoTime();
            while (running.get()) {
                producer.send(new ProducerRecord<>(TOPIC, value), (metadata, error) -> {
                    if (error == null) {
                        acks.add(System.nanoTime());
                        acked.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                });
                next += intervalNs;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(sleep);
                }
            }
        }

        /** The longest time between {@code fromNs} and the first acknowledgement after it, or between later ones. */
        long longestGapAfter(long fromNs) {
            List<Long> times = new ArrayList<>(acks);
            Collections.sort(times);
            long previous = fromNs;
            long longest = 0;
            for (long t : times) {
                longest = Math.max(longest, t - previous);
                previous = t;
            }
            return TimeUnit.NANOSECONDS.toMillis(longest);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            join(5000);
            producer.close();
        }
    }
}
