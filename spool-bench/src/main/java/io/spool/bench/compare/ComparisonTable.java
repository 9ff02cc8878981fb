package io.spool.bench.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The printed comparison: per workload a heading, then one line per metric with each contender's median and, for
 * each Spool contender, its median over Kafka's. Average latency and tool wall time stay in the raw results only.
 * Stateless.
 */
final class ComparisonTable {
    private static final Set<Metric> HIDDEN = Set.of(Metric.AVG_MS, Metric.TOOL_SECONDS);
    private static final int LABEL_WIDTH = 24;
    private static final int VALUE_WIDTH = 12;

    private ComparisonTable() {
    }

    static String format(List<SummaryRow> rows, List<Contender> contenders, Scaling scaling) {
        StringBuilder table = new StringBuilder();
        List<String> header = new ArrayList<>();
        for (Contender contender : contenders) {
            header.add(contender.label());
            if (contender != Contender.KAFKA && contenders.contains(Contender.KAFKA)) {
                header.add(contender == Contender.SPOOL ? "spool/kafka" : "pc/kafka");
            }
        }
        int[] widths = header.stream().mapToInt(h -> Math.max(VALUE_WIDTH, h.length() + 2)).toArray();
        table.append(line("median of runs", header, widths));
        String workload = null;
        for (SummaryRow row : rows) {
            if (HIDDEN.contains(row.metric())) {
                continue;
            }
            if (!row.workload().equals(workload)) {
                workload = row.workload();
                table.append(heading(workload, scaling)).append('\n');
            }
            table.append(line("  " + row.metric().label(), cells(row, contenders), widths));
        }
        return table.toString();
    }

    private static List<String> cells(SummaryRow row, List<Contender> contenders) {
        List<String> cells = new ArrayList<>();
        for (Contender contender : contenders) {
            cells.add(row.metric().format(row.median(contender)));
            if (contender != Contender.KAFKA && contenders.contains(Contender.KAFKA)) {
                double ratio = row.ratioToKafka(contender);
                cells.add(ratio(ratio));
            }
        }
        return cells;
    }

    /** The title line of a workload's rows, with its record count at this scale. */
    static String heading(String workload, Scaling scaling) {
        if (workload.equals(RunResult.START)) {
            return "start-up: process launch to first answered Metadata request, fresh data dir";
        }
        if (workload.equals(RunResult.WHOLE_RUN)) {
            return "whole run: broker from launch to the end of its last workload";
        }
        Workload w = Workload.valueOf(workload.toUpperCase(Locale.ROOT));
        String detail = w == Workload.D
                ? String.format(Locale.ROOT, "%,d records over %.0f s, first %.0f s dropped",
                        scaling.records(w), scaling.fixedRateSeconds(), scaling.warmupSeconds())
                : String.format(Locale.ROOT, "%,d records", scaling.records(w));
        return w.id() + ") " + w.description() + " [" + detail + "]";
    }

    /** A ratio with two significant decimals even when small (0.0041x), empty when unknown. */
    static String ratio(double ratio) {
        if (Double.isNaN(ratio)) {
            return "";
        }
        return ratio >= 0.095 || ratio == 0 ? String.format(Locale.ROOT, "%.2fx", ratio)
                : String.format(Locale.ROOT, "%.2gx", ratio);
    }

    private static String line(String label, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder(String.format("%-" + LABEL_WIDTH + "s", label));
        for (int i = 0; i < cells.size(); i++) {
            line.append(String.format("%" + Math.max(widths[i], cells.get(i).length() + 2) + "s", cells.get(i)));
        }
        return line.append('\n').toString().stripTrailing() + "\n";
    }

    /** One line per failed run, or nothing when every run succeeded. */
    static String failures(List<RunResult> results) {
        StringBuilder text = new StringBuilder();
        for (RunResult result : results) {
            if (!result.ok()) {
                text.append(String.format("  r%d %s %s: %s%s%n", result.repetition(), result.contender().id(),
                        result.workload(), result.error(), result.log().isEmpty() ? "" : " (" + result.log() + ")"));
            }
        }
        return text.length() == 0 ? "" : "Failed runs:\n" + text;
    }
}
