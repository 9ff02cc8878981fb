package io.spool.bench.compare;

import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the summary of {@code ProducerPerformance}. Its last line looks like
 * <pre>
 * 50000 records sent, 7681.671532 records/sec (7.50 MB/sec), 2503.73 ms avg latency, 3457.00 ms max latency,
 *     2836 ms 50th, 3373 ms 95th, 3411 ms 99th, 3443 ms 99.9th.
 * </pre>
 * (one line); with {@code --warmup-records} a second line follows, {@code 20000 steady state records sent, ...},
 * with the same fields for the records after the warm-up, and that one is taken. Progress lines printed while it
 * runs lack the percentiles and are skipped. Stateless.
 */
final class ProducerPerformanceOutput {
    private static final Pattern SUMMARY = Pattern.compile("^(\\d+) (steady state )?records sent, ([\\d.]+) records/sec"
            + " \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, (\\d+) ms 50th,"
            + " (\\d+) ms 95th, (\\d+) ms 99th, (\\d+) ms 99\\.9th\\.?$");

    private ProducerPerformanceOutput() {
    }

    /**
     * Throughput and latencies of the steady state if the output has one, else of the whole run. Fails when fewer
     * than {@code expectedRecords} (warm-up included) were acknowledged: the tool counts only successful sends and
     * still exits 0 when some expired.
     */
    static Map<Metric, Double> parse(String output, long expectedRecords, long warmupRecords) {
        Matcher chosen = null;
        for (String line : output.split("\\R")) {
            Matcher m = SUMMARY.matcher(line.trim());
            if (m.matches() && (chosen == null || m.group(2) != null)) {
                chosen = m;
            }
        }
        if (chosen == null) {
            throw new IllegalArgumentException("ProducerPerformance printed no summary line");
        }
        long expected = chosen.group(2) != null ? expectedRecords - warmupRecords : expectedRecords;
        long sent = Long.parseLong(chosen.group(1));
        if (sent < expected) {
            throw new IllegalArgumentException(String.format("only %d of %d records acknowledged", sent, expected));
        }
        Map<Metric, Double> metrics = new EnumMap<>(Metric.class);
        metrics.put(Metric.RECORDS_PER_SEC, Double.parseDouble(chosen.group(3)));
        metrics.put(Metric.MB_PER_SEC, Double.parseDouble(chosen.group(4)));
        metrics.put(Metric.AVG_MS, Double.parseDouble(chosen.group(5)));
        metrics.put(Metric.P50_MS, Double.parseDouble(chosen.group(7)));
        metrics.put(Metric.P99_MS, Double.parseDouble(chosen.group(9)));
        metrics.put(Metric.P999_MS, Double.parseDouble(chosen.group(10)));
        return metrics;
    }
}
