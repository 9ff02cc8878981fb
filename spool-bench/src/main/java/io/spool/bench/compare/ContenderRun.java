package io.spool.bench.compare;

import io.spool.bench.MetadataProbe;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * One repetition against one contender: starts a fresh broker, measures its start-up, runs the workloads in
 * sequence against it (each on a topic of its own, created beforehand; c reads a's), records the broker's CPU time
 * and peak RSS around each tool run, then stops the broker and deletes its data, keeping its logs. A workload that
 * fails is recorded as failed and the next one runs. One owner thread.
 */
final class ContenderRun {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration TOPIC_TIMEOUT = Duration.ofMinutes(5);

    private final CompareSettings settings;
    private final Contender contender;
    private final int repetition;
    private final Path dir;
    private final PrintStream out;
    private final List<RunResult> results = new ArrayList<>();
    private final Set<Workload> failed = new HashSet<>();
    private double peakRss = Double.NaN;

    ContenderRun(CompareSettings settings, Contender contender, int repetition, PrintStream out) {
        this.settings = settings;
        this.contender = contender;
        this.repetition = repetition;
        this.dir = settings.outDir().resolve(runName(repetition, contender));
        this.out = out;
    }

    /** Directory of one contender's repetition under the results directory, e.g. {@code r2-spool}. */
    static String runName(int repetition, Contender contender) {
        return "r" + repetition + "-" + contender.id();
    }

    List<RunResult> run() throws InterruptedException {
        Broker broker;
        try {
            broker = contender == Contender.KAFKA ? new KafkaBroker(dir, settings.jars().broker())
                    : new SpoolBroker(dir, contender);
        } catch (IOException e) {
            record(RunResult.failed(repetition, contender, RunResult.START, "cannot prepare: " + e.getMessage(), ""));
            return results;
        }
        try {
            if (start(broker)) {
                runWorkloads(broker);
            }
        } finally {
            stop(broker);
        }
        return results;
    }

    private boolean start(Broker broker) throws InterruptedException {
        Map<Metric, Double> metrics = new EnumMap<>(Metric.class);
        try {
            metrics.putAll(broker.prepare());
            long launched = System.nanoTime();
            broker.launch();
            long deadline = launched + START_TIMEOUT.toNanos();
            while (!MetadataProbe.answers(broker.port())) {
                if (!broker.isAlive() || System.nanoTime() > deadline) {
                    record(RunResult.failed(repetition, contender, RunResult.START, broker.isAlive()
                            ? "no Metadata answer within " + START_TIMEOUT.toSeconds() + " s" : "broker exited", ""));
                    return false;
                }
                Thread.sleep(5);
            }
            metrics.put(Metric.STARTUP_MS, (System.nanoTime() - launched) / 1e6);
            metrics.put(Metric.CPU_SECONDS, settings.proc().cpuSeconds(broker.pid()));
            metrics.put(Metric.PEAK_RSS_MB, notePeak(broker));
        } catch (IOException e) {
            record(RunResult.failed(repetition, contender, RunResult.START, e.getMessage(), ""));
            return false;
        }
        record(new RunResult(repetition, contender, RunResult.START, null, metrics, ""));
        return true;
    }

    private void runWorkloads(Broker broker) throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            for (Workload workload : settings.workloads()) {
                if (contender.runs(workload)) {
                    record(runWorkload(broker, admin, workload));
                }
            }
        }
        try {
            record(new RunResult(repetition, contender, RunResult.WHOLE_RUN, null, Map.of(Metric.CPU_SECONDS,
                    settings.proc().cpuSeconds(broker.pid()), Metric.PEAK_RSS_MB, peakRss), ""));
        } catch (IOException e) {
            record(RunResult.failed(repetition, contender, RunResult.WHOLE_RUN, e.getMessage(), ""));
        }
    }

    private RunResult runWorkload(Broker broker, Admin admin, Workload workload) throws InterruptedException {
        String log = dir.getFileName() + "/" + workload.id() + ".log";
        if (workload == Workload.C && failed.contains(Workload.A)) {
            return fail(workload, "skipped: workload a, whose records it reads, failed", "");
        }
        if (!broker.isAlive()) {
            return fail(workload, "broker exited", "");
        }
        try {
            String topic = "bench-" + (workload == Workload.C ? Workload.A : workload).id();
            Map<Metric, Double> metrics = new EnumMap<>(Metric.class);
            if (workload != Workload.C) {
                metrics.put(Metric.TOPIC_READY_MS, createTopic(admin, topic, workload.partitions()));
            }
            ToolCommand command = ToolCommand.of(workload, settings.scaling(), broker.bootstrap(), topic);
            ToolRunner.Outcome outcome = measure(broker, command, log, metrics);
            if (!outcome.succeeded()) {
                return fail(workload, outcome.timedOut() ? "timed out after " + settings.toolTimeout().toSeconds()
                        + " s" : "tool exited with " + outcome.exitCode(), log);
            }
            metrics.putAll(ToolOutputs.parse(workload, settings.scaling(), outcome.output()));
            return new RunResult(repetition, contender, workload.id(), null, metrics, log);
        } catch (IOException | RuntimeException e) {
            // The tool-output readers explain themselves; anything else needs its type to be understood.
            String error = e instanceof IllegalArgumentException ? e.getMessage() : e.toString();
            return fail(workload, broker.isAlive() ? error : "broker exited (" + error + ")", log);
        }
    }

    /** Runs the tool and adds the broker's CPU time and peak RSS during the run, and the tool's wall time. */
    private ToolRunner.Outcome measure(Broker broker, ToolCommand command, String log, Map<Metric, Double> metrics)
            throws IOException, InterruptedException {
        double cpuBefore = settings.proc().cpuSeconds(broker.pid());
        settings.proc().resetPeakRss(broker.pid());
        ToolRunner.Outcome outcome = settings.tools().run(command, settings.outDir().resolve(log),
                settings.toolTimeout());
        metrics.put(Metric.CPU_SECONDS, settings.proc().cpuSeconds(broker.pid()) - cpuBefore);
        metrics.put(Metric.PEAK_RSS_MB, notePeak(broker));
        metrics.put(Metric.TOOL_SECONDS, outcome.seconds());
        return outcome;
    }

    private RunResult fail(Workload workload, String error, String log) {
        failed.add(workload);
        return RunResult.failed(repetition, contender, workload.id(), error, log);
    }

    /**
     * Creates the topic and waits until every partition's leader serves it: a Metadata answer naming leaders is
     * not enough, since Kafka's broker creates the partitions' logs after it learns it leads them (seconds for a
     * thousand partitions), and a producer started earlier measures that instead. ListOffsets answers only once
     * the log exists. Returns the milliseconds from the create request until then.
     */
    private static double createTopic(Admin admin, String topic, int partitions)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TOPIC_TIMEOUT.toNanos();
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all()
                    .get(TOPIC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("cannot create topic " + topic + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IOException("topic " + topic + " not created within " + TOPIC_TIMEOUT.toSeconds() + " s", e);
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        while (true) {
            try {
                admin.listOffsets(latest).all().get(TOPIC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return (System.nanoTime() - start) / 1e6;
            } catch (ExecutionException | TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("topic " + topic + " not served within " + TOPIC_TIMEOUT.toSeconds()
                            + " s: " + e.getMessage(), e);
                }
                Thread.sleep(100);
            }
        }
    }

    private double notePeak(Broker broker) throws IOException {
        double peak = settings.proc().peakRssMib(broker.pid());
        peakRss = Double.isNaN(peakRss) ? peak : Math.max(peakRss, peak);
        return peak;
    }

    private void record(RunResult result) {
        results.add(result);
        out.println(ResultLine.format(result));
    }

    private void stop(Broker broker) throws InterruptedException {
        try {
            broker.stop();
        } catch (IllegalStateException e) {
            out.println("  " + e.getMessage());
        }
        deleteData();
    }

    /** Data can reach gigabytes per run at full scale; the logs stay for profiling. */
    private void deleteData() {
        try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            out.println("  could not delete " + dir.resolve("data") + ": " + e.getMessage());
        }
    }
}
