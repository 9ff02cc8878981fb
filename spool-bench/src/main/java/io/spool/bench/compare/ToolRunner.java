package io.spool.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of Apache Kafka's tools as its own JVM, with the heap and JVM options its scripts
 * ({@code kafka-producer-perf-test.sh} and friends) use, writing stdout and stderr to one file. One owner thread.
 */
final class ToolRunner {
    /** kafka-producer-perf-test.sh and kafka-consumer-perf-test.sh heap, plus kafka-run-class.sh's options. */
    static final List<String> JVM_OPTIONS = List.of("-Xmx512M", "-server", "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
            "-Djava.awt.headless=true", "-Duser.language=en", "-Duser.country=US");

    /** How a tool run ended: its output, and its exit code unless it ran out of time. */
    record Outcome(String output, boolean timedOut, int exitCode, double seconds) {
        boolean succeeded() {
            return !timedOut && exitCode == 0;
        }
    }

    private final Path toolJars;
    private final Path log4jConfig;

    ToolRunner(Path toolJars, Path log4jConfig) {
        this.toolJars = toolJars;
        this.log4jConfig = log4jConfig;
    }

    /** Runs {@code tool}, killing it after {@code timeout}; its output goes to {@code outputFile} too. */
    Outcome run(ToolCommand tool, Path outputFile, Duration timeout) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-Dlog4j2.configurationFile=" + log4jConfig, "-cp", toolJars.resolve("*").toString(),
                tool.mainClass()));
        command.addAll(tool.args());
        Files.writeString(outputFile, "# " + tool.describe() + "\n");
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile.toFile())).start();
        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            process.destroyForcibly().waitFor();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String output = Files.readString(outputFile);
        return new Outcome(output, !finished, finished ? process.exitValue() : -1, seconds);
    }
}
