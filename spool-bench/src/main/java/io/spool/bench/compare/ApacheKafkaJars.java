package io.spool.bench.compare;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Apache Kafka broker and tools jars, resolved from Maven Central on first use with the descriptors in
 * {@code spool-bench/apache-kafka/} into {@code spool-bench/target/apache-kafka/broker-V} and {@code tools-V}.
 * They never become dependencies of Spool's build or distribution. A directory counts as complete once its
 * marker file exists, written only after Maven succeeded. Immutable.
 */
record ApacheKafkaJars(Path broker, Path tools) {
    private static final String MARKER = ".complete";

    /** Resolves, or finds already resolved, Kafka {@code kafkaVersion} and kafka-tools {@code toolsVersion}. */
    static ApacheKafkaJars resolve(Path spoolHome, String kafkaVersion, String toolsVersion, PrintStream out)
            throws IOException, InterruptedException {
        Path root = spoolHome.resolve("spool-bench/target/apache-kafka");
        Path broker = copy(spoolHome, "broker", kafkaVersion, root.resolve("broker-" + kafkaVersion), out);
        Path tools = copy(spoolHome, "tools", toolsVersion, root.resolve("tools-" + toolsVersion), out);
        return new ApacheKafkaJars(broker, tools);
    }

    /** The Spool source tree holding the Maven wrapper and the descriptors: bin/spool's home, else the working dir. */
    static Path spoolHome() {
        String home = System.getProperty("spool.home");
        Path dir = home != null ? Path.of(home) : Path.of("").toAbsolutePath();
        if (!Files.isRegularFile(dir.resolve("spool-bench/apache-kafka/broker/pom.xml"))) {
            throw new IllegalStateException("Cannot find spool-bench/apache-kafka/ under " + dir
                    + "; run bin/spool from a Spool source tree");
        }
        return dir;
    }

    private static Path copy(Path spoolHome, String what, String version, Path target, PrintStream out)
            throws IOException, InterruptedException {
        if (Files.exists(target.resolve(MARKER))) {
            return target;
        }
        out.printf("Resolving Apache Kafka %s %s from Maven Central into %s%n", what, version, target);
        Files.createDirectories(target);
        Path log = target.resolveSibling(target.getFileName() + ".maven.log");
        List<String> command = List.of(spoolHome.resolve("mvnw").toString(), "-B", "-q", "-f",
                spoolHome.resolve("spool-bench/apache-kafka/" + what + "/pom.xml").toString(),
                "-Dkafka.version=" + version, "dependency:copy-dependencies", "-DincludeScope=runtime",
                "-DoutputDirectory=" + target);
        Process maven = new ProcessBuilder(command).directory(spoolHome.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!maven.waitFor(30, TimeUnit.MINUTES)) {
            maven.destroyForcibly().waitFor();
            throw new IOException("Resolving Apache Kafka " + what + " " + version + " took over 30 minutes; see "
                    + log);
        }
        if (maven.exitValue() != 0) {
            throw new IOException("Could not resolve Apache Kafka " + what + " " + version + " (is it on Maven"
                    + " Central?); see " + log);
        }
        Files.writeString(target.resolve(MARKER), version + "\n");
        return target;
    }
}
