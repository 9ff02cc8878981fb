package io.spool.bench.compare;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spool bench compare}: runs the same workloads against Apache Kafka and Spool on this machine with Kafka's
 * own load tools, and prints one table of medians with Spool/Kafka ratios; writes the raw results (JSON, CSV), a
 * chart and every broker log and tool output under {@code --out}. Runs on the command's thread.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare Spool with Apache Kafka on this machine, using Kafka's own perf tools.",
            "Workloads: a) 1,000,000 x 1 KiB, acks=all, linger.ms=5, 6 partitions; b) 2,000,000 x 100 B, acks=1,"
                    + " 6 partitions; c) consume all of a; d) 20,000 records/s x 1 KiB, acks=all, 30 s, first 5 s"
                    + " dropped (also against Spool in page-cache mode); e) end-to-end latency, 10,000 x 1 KiB,"
                    + " acks=all; f) 1,000,000 x 1 KiB, acks=all, over 1,000 partitions."})
public final class CompareBenchmark implements Callable<Integer> {
    @Option(names = "--scale", defaultValue = "1", description = "Fraction of the record counts and of d's"
            + " duration; 0.02 is a smoke run of a few minutes (default: ${DEFAULT-VALUE})")
    double scale;

    @Option(names = "--repeat", defaultValue = "3", description = "Repetitions per system, at least 1"
            + " (default: ${DEFAULT-VALUE})")
    int repeat;

    @Option(names = "--workloads", defaultValue = "a,b,c,d,e,f", description = "Workloads to run; c brings a along"
            + " (default: ${DEFAULT-VALUE})")
    String workloads;

    @Option(names = "--systems", defaultValue = "kafka,spool,spool-page-cache", description = "Systems to run;"
            + " spool-page-cache runs only d (default: ${DEFAULT-VALUE})")
    String systems;

    @Option(names = "--out", description = "Results directory (default: bench-results/compare-<timestamp>)")
    Path out;

    @Option(names = "--kafka-version", defaultValue = "4.4.0", description = "Apache Kafka broker version"
            + " (default: ${DEFAULT-VALUE})")
    String kafkaVersion;

    @Option(names = "--kafka-tools-version", defaultValue = "4.3.1", description = "kafka-tools version"
            + " (default: ${DEFAULT-VALUE})")
    String kafkaToolsVersion;

    @Option(names = "--tool-timeout-s", defaultValue = "1800", description = "Seconds after which a tool run is"
            + " killed and recorded as failed (default: ${DEFAULT-VALUE})")
    int toolTimeoutSeconds;

    private final PrintStream stdout = System.out;

    @Override
    public Integer call() throws Exception {
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat must be at least 1");
        }
        Instant started = Instant.now();
        Path outDir = (out != null ? out : Path.of("bench-results", "compare-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))).toAbsolutePath();
        Files.createDirectories(outDir);
        CompareSettings settings = settings(outDir);
        stdout.printf(Locale.ROOT, "spool bench compare: Kafka %s (tools %s) vs Spool, scale %s, %d repetition(s),"
                + " %d CPUs; results in %s%n", kafkaVersion, kafkaToolsVersion, scale, repeat,
                Runtime.getRuntime().availableProcessors(), outDir);
        List<RunResult> results = new CompareRunner(settings, stdout).run();
        RunInfo info = new RunInfo(started, Duration.between(started, Instant.now()).toMillis() / 1000.0,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), kafkaVersion,
                kafkaToolsVersion, settings.scaling(), repeat);
        report(settings, info, results);
        boolean measuredAWorkload = results.stream().anyMatch(r -> r.ok() && !r.workload().equals(RunResult.START)
                && !r.workload().equals(RunResult.WHOLE_RUN));
        return measuredAWorkload ? 0 : 1;
    }

    private CompareSettings settings(Path outDir) throws IOException, InterruptedException {
        Scaling scaling = new Scaling(scale);
        List<Workload> chosen = Workload.parse(workloads);
        List<Contender> contenders = Contender.parse(systems);
        ApacheKafkaJars jars = ApacheKafkaJars.resolve(ApacheKafkaJars.spoolHome(), kafkaVersion, kafkaToolsVersion,
                stdout);
        Path toolsLog4j = outDir.resolve("tools-log4j2.properties");
        Files.writeString(toolsLog4j, Log4jConfig.toStderr());
        return new CompareSettings(outDir, jars, new ToolRunner(jars.tools(), toolsLog4j), ProcStats.create(),
                scaling, chosen, contenders, repeat, Duration.ofSeconds(toolTimeoutSeconds));
    }

    private void report(CompareSettings settings, RunInfo info, List<RunResult> results) throws IOException {
        List<SummaryRow> summary = Summary.of(results);
        String table = ComparisonTable.format(summary, settings.contenders(), settings.scaling())
                + ComparisonTable.failures(results);
        Path dir = settings.outDir();
        Files.writeString(dir.resolve("table.txt"), table);
        Files.writeString(dir.resolve("results.json"), ResultsJson.format(info, settings.workloads(), results,
                summary));
        Files.writeString(dir.resolve("results.csv"), ResultsCsv.format(results));
        Files.writeString(dir.resolve("chart.svg"), ComparisonChart.render(summary, settings.contenders(),
                String.format(Locale.ROOT, "Kafka %s vs Spool, scale %s, median of %d, %d CPUs", kafkaVersion,
                        scale, repeat, info.cpus())));
        stdout.printf("%nResults after %.0f s (medians; ratios are Spool over Kafka):%n%n%s%n", info.seconds(), table);
        stdout.println("Wrote " + dir.resolve("results.json") + ", results.csv, chart.svg and table.txt");
    }
}
