package io.spool.bench.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Writes {@code results.json}: the run's settings, the workloads at this scale, every raw result and the medians
 * with their Spool/Kafka ratios. Metrics use the column names of {@code results.csv}. Stateless.
 */
final class ResultsJson {
    private ResultsJson() {
    }

    static String format(RunInfo info, List<Workload> workloads, List<RunResult> results, List<SummaryRow> summary) {
        StringBuilder json = new StringBuilder("{\n");
        json.append("  \"started\": ").append(Json.string(info.started().toString())).append(",\n");
        json.append("  \"seconds\": ").append(Json.number(info.seconds())).append(",\n");
        json.append("  \"cpus\": ").append(info.cpus()).append(",\n");
        json.append("  \"java\": ").append(Json.string(info.javaVersion())).append(",\n");
        json.append("  \"kafkaVersion\": ").append(Json.string(info.kafkaVersion())).append(",\n");
        json.append("  \"kafkaToolsVersion\": ").append(Json.string(info.kafkaToolsVersion())).append(",\n");
        json.append("  \"scale\": ").append(Json.number(info.scaling().scale())).append(",\n");
        json.append("  \"repetitions\": ").append(info.repetitions()).append(",\n");
        json.append("  \"workloads\": ").append(array(workloads(workloads, info.scaling()))).append(",\n");
        json.append("  \"runs\": ").append(array(results.stream().map(ResultsJson::run).toList())).append(",\n");
        json.append("  \"medians\": ").append(array(summary.stream().map(ResultsJson::median).toList())).append('\n');
        return json.append("}\n").toString();
    }

    private static List<String> workloads(List<Workload> workloads, Scaling scaling) {
        List<String> objects = new ArrayList<>();
        for (Workload w : workloads) {
            StringJoiner o = new StringJoiner(", ", "{", "}");
            o.add("\"id\": " + Json.string(w.id()));
            o.add("\"description\": " + Json.string(w.description()));
            o.add("\"records\": " + scaling.records(w));
            o.add("\"recordSize\": " + w.recordSize());
            o.add("\"partitions\": " + w.partitions());
            if (w == Workload.D) {
                o.add("\"ratePerSec\": " + Workload.FIXED_RATE);
                o.add("\"seconds\": " + Json.number(scaling.fixedRateSeconds()));
                o.add("\"warmupSeconds\": " + Json.number(scaling.warmupSeconds()));
                o.add("\"warmupRecords\": " + scaling.warmupRecords());
            }
            objects.add(o.toString());
        }
        return objects;
    }

    private static String run(RunResult r) {
        StringJoiner o = new StringJoiner(", ", "{", "}");
        o.add("\"repetition\": " + r.repetition());
        o.add("\"system\": " + Json.string(r.contender().id()));
        o.add("\"workload\": " + Json.string(r.workload()));
        o.add("\"ok\": " + r.ok());
        o.add("\"error\": " + Json.string(r.error()));
        o.add("\"log\": " + Json.string(r.log().isEmpty() ? null : r.log()));
        StringJoiner metrics = new StringJoiner(", ", "{", "}");
        for (Metric metric : Metric.values()) {
            if (!Double.isNaN(r.value(metric))) {
                metrics.add(Json.string(metric.column()) + ": " + Json.number(r.value(metric)));
            }
        }
        o.add("\"metrics\": " + metrics);
        return o.toString();
    }

    private static String median(SummaryRow row) {
        StringJoiner o = new StringJoiner(", ", "{", "}");
        o.add("\"workload\": " + Json.string(row.workload()));
        o.add("\"metric\": " + Json.string(row.metric().column()));
        for (Contender contender : Contender.values()) {
            if (!Double.isNaN(row.median(contender))) {
                o.add(Json.string(contender.id()) + ": " + Json.number(row.median(contender)));
                o.add(Json.string(contender.id() + "Runs") + ": " + row.counts().get(contender));
                if (contender != Contender.KAFKA) {
                    o.add(Json.string(contender.id() + "ToKafka") + ": "
                            + Json.number(row.ratioToKafka(contender)));
                }
            }
        }
        return o.toString();
    }

    private static String array(List<String> items) {
        if (items.isEmpty()) {
            return "[]";
        }
        return "[\n    " + String.join(",\n    ", items) + "\n  ]";
    }
}
