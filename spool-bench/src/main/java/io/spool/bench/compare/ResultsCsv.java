package io.spool.bench.compare;

import java.util.List;

/**
 * Writes every raw result as CSV: one row per repetition, contender and workload, one column per {@link Metric}
 * (empty when not measured), then the error of a failed run and the tool's output file. Stateless.
 */
final class ResultsCsv {
    private ResultsCsv() {
    }

    static String format(List<RunResult> results) {
        StringBuilder csv = new StringBuilder("repetition,system,workload,ok");
        for (Metric metric : Metric.values()) {
            csv.append(',').append(metric.column());
        }
        csv.append(",error,log\n");
        for (RunResult r : results) {
            csv.append(r.repetition()).append(',').append(r.contender().id()).append(',').append(r.workload())
                    .append(',').append(r.ok());
            for (Metric metric : Metric.values()) {
                double value = r.value(metric);
                csv.append(',').append(Double.isNaN(value) ? "" : Json.number(value));
            }
            csv.append(',').append(quote(r.error())).append(',').append(quote(r.log())).append('\n');
        }
        return csv.toString();
    }

    /** RFC 4180 quoting: a field with a comma, quote or line break goes in quotes, its quotes doubled. */
    static String quote(String field) {
        if (field == null) {
            return "";
        }
        if (field.contains(",") || field.contains("\"") || field.contains("\n") || field.contains("\r")) {
            return '"' + field.replace("\"", "\"\"") + '"';
        }
        return field;
    }
}
