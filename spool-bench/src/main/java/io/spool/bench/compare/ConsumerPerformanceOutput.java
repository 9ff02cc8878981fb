package io.spool.bench.compare;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the CSV that {@code ConsumerPerformance} prints:
 * <pre>
 * start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms,
 *     fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
 * 2026-11-24 00:46:21:066, 2026-11-24 00:46:27:715, 48.8281, 7.3437, 50000, 7519.9278, 5111, 1538, 31.7478, 32509.7529
 * </pre>
 * (the header is one line). The {@code fetch.*} columns are taken: they leave out the group join, whose length is
 * set by the broker's group.initial.rebalance.delay.ms rather than by how fast it serves fetches. Stateless.
 */
final class ConsumerPerformanceOutput {
    private ConsumerPerformanceOutput() {
    }

    /** Fetch throughput; fails when fewer than {@code expectedRecords} records were read. */
    static Map<Metric, Double> parse(String output, long expectedRecords) {
        String[] lines = output.split("\\R");
        for (int i = 0; i + 1 < lines.length; i++) {
            List<String> header = split(lines[i]);
            if (header.contains("fetch.nMsg.sec")) {
                List<String> values = split(lines[i + 1]);
                if (values.size() != header.size()) {
                    throw new IllegalArgumentException("ConsumerPerformance row does not match its header: "
                            + lines[i + 1]);
                }
                long consumed = (long) value(header, values, "data.consumed.in.nMsg");
                if (consumed < expectedRecords) {
                    throw new IllegalArgumentException("ConsumerPerformance read " + consumed + " of "
                            + expectedRecords + " records");
                }
                Map<Metric, Double> metrics = new EnumMap<>(Metric.class);
                metrics.put(Metric.RECORDS_PER_SEC, value(header, values, "fetch.nMsg.sec"));
                metrics.put(Metric.MB_PER_SEC, value(header, values, "fetch.MB.sec"));
                return metrics;
            }
        }
        throw new IllegalArgumentException("ConsumerPerformance printed no result row");
    }

    private static List<String> split(String line) {
        return Arrays.stream(line.split(",")).map(String::trim).toList();
    }

    private static double value(List<String> header, List<String> values, String column) {
        return Double.parseDouble(values.get(header.indexOf(column)));
    }
}
