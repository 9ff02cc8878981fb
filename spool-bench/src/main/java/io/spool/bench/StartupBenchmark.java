package io.spool.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Restart time after a clean stop: fills a node with data, stops it cleanly, then starts it several times and
 * measures, from process launch, how long until a Metadata request is answered with the topic's leaders.
 */
@Command(name = "startup", mixinStandardHelpOptions = true,
        description = "Measure restart time of a node holding data, after a clean stop.")
public final class StartupBenchmark implements Callable<Integer> {
    static final String TOPIC = "startup-bench";

    @Option(names = "--dir", description = "Working directory (default: ${DEFAULT-VALUE})", defaultValue = "bench-startup")
    Path dir;

    @Option(names = "--megabytes", description = "Data to write before restarting (default: ${DEFAULT-VALUE})",
            defaultValue = "1024")
    int megabytes;

    @Option(names = "--runs", description = "Restarts to measure (default: ${DEFAULT-VALUE})", defaultValue = "5")
    int runs;

    @Option(names = "--partitions", description = "Partitions of the topic (default: ${DEFAULT-VALUE})",
            defaultValue = "6")
    int partitions;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        SpoolNode node = new SpoolNode(dir.toAbsolutePath());
        long firstStart = startAndMeasure(node, false);
        out.printf("first start (empty data dir): %d ms%n", firstStart);
        fill(node);
        node.stop();
        out.printf("wrote %,d bytes of data; node stopped cleanly%n", node.dataBytes());
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long ms = startAndMeasure(node, true);
            times.add(ms);
            out.printf("restart %d: ready in %d ms%n", i + 1, ms);
            node.stop();
        }
        Collections.sort(times);
        out.printf("restart with %d MiB: median %d ms, min %d ms, max %d ms over %d runs%n", megabytes,
                times.get(times.size() / 2), times.get(0), times.get(times.size() - 1), runs);
        return 0;
    }

    private long startAndMeasure(SpoolNode node, boolean topicExists) throws Exception {
        long start = System.nanoTime();
        node.launch();
        long deadline = start + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!node.isAlive()) {
                throw new IllegalStateException("Spool exited during start");
            }
            if (topicExists ? MetadataProbe.serves(node.port(), TOPIC) : ready(node)) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("Spool was not ready within 120 s");
    }

    private boolean ready(SpoolNode node) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrap(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                1000))) {
            if (admin.describeCluster().nodes().get().isEmpty()) {
                return false;
            }
            admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short) 1))).all().get();
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private void fill(SpoolNode node) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrap());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        byte[] value = new byte[1024];
        new java.util.Random(42).nextBytes(value);
        long records = (long) megabytes * 1024;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (long i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(TOPIC, (int) (i % partitions), null, value));
            }
            producer.flush();
        }
    }
}
