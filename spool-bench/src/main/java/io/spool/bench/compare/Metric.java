package io.spool.bench.compare;

import java.util.Locale;

/**
 * One number a comparison run measures, with its column name in the raw results and how the table prints it.
 * Immutable.
 */
enum Metric {
    RECORDS_PER_SEC("records_per_sec", "records/s"),
    MB_PER_SEC("mb_per_sec", "MB/s"),
    AVG_MS("avg_ms", "avg latency ms"),
    P50_MS("p50_ms", "p50 latency ms"),
    P99_MS("p99_ms", "p99 latency ms"),
    P999_MS("p999_ms", "p99.9 latency ms"),
    CPU_SECONDS("broker_cpu_s", "broker CPU-s"),
    PEAK_RSS_MB("broker_peak_rss_mb", "broker peak RSS MiB"),
    STARTUP_MS("startup_ms", "start-up ms"),
    TOPIC_READY_MS("topic_ready_ms", "topic ready ms"),
    FORMAT_MS("format_ms", "storage format ms"),
    TOOL_SECONDS("tool_wall_s", "tool wall s");

    private final String column;
    private final String label;

    Metric(String column, String label) {
        this.column = column;
        this.label = label;
    }

    /** Name of the column in results.csv and of the key in results.json. */
    String column() {
        return column;
    }

    /** Name of the row in the printed table. */
    String label() {
        return label;
    }

    /** The value as the table prints it: integers with thousands separators, small numbers with decimals. */
    String format(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 999.5) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (magnitude >= 99.95) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (magnitude >= 9.995) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
