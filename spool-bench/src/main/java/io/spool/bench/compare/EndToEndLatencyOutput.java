package io.spool.bench.compare;

import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the result of {@code EndToEndLatency}, which ends with
 * <pre>
 * Avg latency: 6.5968 ms
 * Percentiles: 50th = 3, 99th = 43, 99.9th = 183
 * </pre>
 * (percentiles in whole milliseconds), after a progress line every 1000 records. Stateless.
 */
final class EndToEndLatencyOutput {
    private static final Pattern AVERAGE = Pattern.compile("Avg latency: ([\\d.]+) ms");
    private static final Pattern PERCENTILES = Pattern.compile(
            "Percentiles: 50th = (\\d+), 99th = (\\d+), 99\\.9th = (\\d+)");

    private EndToEndLatencyOutput() {
    }

    static Map<Metric, Double> parse(String output) {
        Matcher average = AVERAGE.matcher(output);
        Matcher percentiles = PERCENTILES.matcher(output);
        if (!average.find() || !percentiles.find()) {
            throw new IllegalArgumentException("EndToEndLatency printed no latency summary");
        }
        Map<Metric, Double> metrics = new EnumMap<>(Metric.class);
        metrics.put(Metric.AVG_MS, Double.parseDouble(average.group(1)));
        metrics.put(Metric.P50_MS, Double.parseDouble(percentiles.group(1)));
        metrics.put(Metric.P99_MS, Double.parseDouble(percentiles.group(2)));
        metrics.put(Metric.P999_MS, Double.parseDouble(percentiles.group(3)));
        return metrics;
    }
}
