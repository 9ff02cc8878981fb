package io.spool.bench.compare;

import java.util.List;

/** Formats one result as the progress line printed while the comparison runs. Stateless. */
final class ResultLine {
    private static final List<Metric> SHOWN = List.of(Metric.STARTUP_MS, Metric.TOPIC_READY_MS, Metric.RECORDS_PER_SEC,
            Metric.MB_PER_SEC,
            Metric.P50_MS, Metric.P99_MS, Metric.P999_MS, Metric.CPU_SECONDS, Metric.PEAK_RSS_MB);

    private ResultLine() {
    }

    /** For example {@code r1 kafka      a: 7,682 records/s, 7.50 MB/s, ..., 812 broker peak RSS MiB}. */
    static String format(RunResult result) {
        StringBuilder line = new StringBuilder(String.format("  r%d %-18s %-5s ", result.repetition(),
                result.contender().label(), result.workload()));
        if (!result.ok()) {
            return line.append("FAILED: ").append(result.error()).toString();
        }
        String separator = "";
        for (Metric metric : SHOWN) {
            double value = result.value(metric);
            if (!Double.isNaN(value)) {
                line.append(separator).append(metric.format(value)).append(' ').append(metric.label());
                separator = ", ";
            }
        }
        return line.toString();
    }
}
