package io.spool.bench.compare;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reduces the raw results to medians per workload, metric and contender. Stateless. */
final class Summary {
    private Summary() {
    }

    /** One row per workload and metric that some successful run measured, in table order. */
    static List<SummaryRow> of(List<RunResult> results) {
        Set<String> workloads = new LinkedHashSet<>();
        results.stream().map(RunResult::workload).sorted(Comparator.comparingInt(Summary::order))
                .forEach(workloads::add);
        List<SummaryRow> rows = new ArrayList<>();
        for (String workload : workloads) {
            for (Metric metric : Metric.values()) {
                Map<Contender, Double> medians = new EnumMap<>(Contender.class);
                Map<Contender, Integer> counts = new EnumMap<>(Contender.class);
                for (Contender contender : Contender.values()) {
                    List<Double> values = results.stream().filter(r -> r.ok() && r.contender() == contender
                            && r.workload().equals(workload)).map(r -> r.value(metric))
                            .filter(v -> !Double.isNaN(v)).toList();
                    if (!values.isEmpty()) {
                        medians.put(contender, median(values));
                        counts.put(contender, values.size());
                    }
                }
                if (!medians.isEmpty()) {
                    rows.add(new SummaryRow(workload, metric, medians, counts));
                }
            }
        }
        return rows;
    }

    /** The middle value, or the mean of the two middle values of an even count. */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("No values");
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int mid = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
    }

    /** Start-up first, then the workloads by letter, then the whole-run totals. */
    static int order(String workload) {
        if (workload.equals(RunResult.START)) {
            return -1;
        }
        if (workload.equals(RunResult.WHOLE_RUN)) {
            return Integer.MAX_VALUE;
        }
        return workload.charAt(0) - 'a';
    }
}
