package io.spool.bench.compare;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * Apache Kafka as its scripts start it: a single KRaft node in combined mode with the settings of Kafka's shipped
 * {@code config/server.properties} (on free loopback ports), 1 GiB heap and the JVM options of
 * {@code kafka-server-start.sh}. Files under its directory: {@code server.properties}, {@code log4j2.properties},
 * {@code format.log}, {@code stdout.log}, {@code logs/server.log}, {@code logs/kafkaServer-gc.log} and
 * {@code data/}. One owner thread.
 */
final class KafkaBroker implements Broker {
    /** JVM options of kafka-server-start.sh and kafka-run-class.sh. */
    static final List<String> JVM_OPTIONS = List.of("-Xmx1G", "-Xms1G", "-server", "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
            "-Djava.awt.headless=true");

    private final Path dir;
    private final Path brokerJars;
    private final int port;
    private final int controllerPort;
    private Process process;

    KafkaBroker(Path dir, Path brokerJars) throws IOException {
        this.dir = dir;
        this.brokerJars = brokerJars;
        this.port = freePort();
        this.controllerPort = freePort();
        Files.createDirectories(dir.resolve("logs"));
    }

    /** Writes the configuration and formats the storage with a new cluster id, as Kafka's quick start does. */
    @Override
    public Map<Metric, Double> prepare() throws IOException, InterruptedException {
        Files.writeString(dir.resolve("server.properties"), serverProperties());
        Files.writeString(dir.resolve("log4j2.properties"), Log4jConfig.toFile("${sys:kafka.logs.dir}/server.log"));
        long start = System.nanoTime();
        // kafka-storage.sh runs with kafka-run-class.sh's default heap, not the broker's.
        List<String> format = java(List.of("-Xmx256M"), "kafka.tools.StorageTool");
        format.addAll(List.of("format", "--standalone", "-t", Uuid.randomUuid().toString(), "-c",
                dir.resolve("server.properties").toString()));
        Process formatter = new ProcessBuilder(format).redirectErrorStream(true)
                .redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!formatter.waitFor(120, TimeUnit.SECONDS)) {
            formatter.destroyForcibly().waitFor();
            throw new IOException("Kafka's StorageTool did not finish within 120 s; see " + dir.resolve("format.log"));
        }
        if (formatter.exitValue() != 0) {
            throw new IOException("Kafka's StorageTool failed; see " + dir.resolve("format.log"));
        }
        return Map.of(Metric.FORMAT_MS, (System.nanoTime() - start) / 1e6);
    }

    @Override
    public void launch() throws IOException {
        // kafka-server-start.sh passes -loggc, so kafka-run-class.sh adds this GC log.
        List<String> options = new ArrayList<>(JVM_OPTIONS);
        options.add("-Xlog:gc*:file=" + dir.resolve("logs/kafkaServer-gc.log")
                + ":time,tags:filecount=10,filesize=100M");
        List<String> command = java(options, "kafka.Kafka");
        command.add(dir.resolve("server.properties").toString());
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
    }

    private List<String> java(List<String> jvmOptions, String mainClass) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"),
                "-Dkafka.logs.dir=" + dir.resolve("logs"), "-cp", brokerJars.resolve("*").toString(), mainClass));
        return command;
    }

    /** Kafka's shipped config/server.properties for KRaft combined mode, with loopback ports and our data dir. */
    String serverProperties() {
        String listeners = "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort;
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=" + listeners,
                "advertised.listeners=" + listeners,
                "inter.broker.listener.name=PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "num.network.threads=3",
                "num.io.threads=8",
                "socket.send.buffer.bytes=102400",
                "socket.receive.buffer.bytes=102400",
                "socket.request.max.bytes=104857600",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "num.recovery.threads.per.data.dir=1",
                "offsets.topic.replication.factor=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "log.retention.hours=168",
                "log.segment.bytes=1073741824",
                "log.retention.check.interval.ms=300000",
                "");
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("Kafka did not stop within 120 s; see " + dir.resolve("logs"));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
