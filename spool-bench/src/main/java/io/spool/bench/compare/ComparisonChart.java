package io.spool.bench.compare;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code chart.svg}: the medians as grouped bars, one colour per contender. The upper panel shows throughput in
 * MB/s of the unthrottled workloads (a, b, c, f); the lower one latency percentiles of the fixed-rate (d) and
 * end-to-end (e) workloads on a logarithmic axis, since they span milliseconds to seconds. Stateless.
 */
final class ComparisonChart {
    private static final List<String> THROUGHPUT_WORKLOADS = List.of("a", "b", "c", "f");
    private static final List<String> LATENCY_WORKLOADS = List.of("d", "e");
    private static final List<Metric> PERCENTILES = List.of(Metric.P50_MS, Metric.P99_MS, Metric.P999_MS);
    private static final Map<Contender, String> COLOURS = Map.of(Contender.KAFKA, "#4e79a7", Contender.SPOOL,
            "#f28e2b", Contender.SPOOL_PAGE_CACHE, "#59a14f");

    private ComparisonChart() {
    }

    static String render(List<SummaryRow> rows, List<Contender> contenders, String subtitle) {
        ChartPanel throughput = panel("Throughput, MB/s (median)", false, rows, contenders,
                THROUGHPUT_WORKLOADS, List.of(Metric.MB_PER_SEC));
        ChartPanel latency = panel("Latency percentiles, ms (median, log scale)", true, rows, contenders,
                LATENCY_WORKLOADS, PERCENTILES);
        int height = 60 + 2 * ChartPanel.HEIGHT;
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\""
                + " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">%n", ChartPanel.WIDTH, height, ChartPanel.WIDTH,
                height));
        svg.append("<style>text{font-family:sans-serif;fill:#333}.title{font-size:15px;font-weight:bold}")
                .append(".tick,.value{font-size:10px}.group{font-size:12px}.legend{font-size:12px}")
                .append(".grid{stroke:#ddd}.axis{stroke:#333}");
        for (Contender c : contenders) {
            svg.append('.').append(c.id()).append("{fill:").append(COLOURS.get(c)).append('}');
        }
        svg.append("</style>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(ChartPanel.text(20, 20, "start", "legend", "spool bench compare: " + subtitle));
        int x = 20;
        for (Contender c : contenders) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"32\" width=\"12\" height=\"12\" class=\"%s\"/>%n",
                    x, c.id()));
            svg.append(ChartPanel.text(x + 16, 43, "start", "legend", c.label()));
            x += 40 + 8 * c.label().length();
        }
        svg.append(throughput.render(50, contenders));
        svg.append(latency.render(50 + ChartPanel.HEIGHT, contenders));
        return svg.append("</svg>\n").toString();
    }

    /** Groups of bars for each listed workload and metric, from the rows' medians. */
    private static ChartPanel panel(String title, boolean log, List<SummaryRow> rows, List<Contender> contenders,
            List<String> workloads, List<Metric> metrics) {
        List<String> groups = new ArrayList<>();
        Map<Contender, List<Double>> values = new EnumMap<>(Contender.class);
        contenders.forEach(c -> values.put(c, new ArrayList<>()));
        for (String workload : workloads) {
            for (Metric metric : metrics) {
                SummaryRow row = rows.stream().filter(r -> r.workload().equals(workload) && r.metric() == metric)
                        .findFirst().orElse(null);
                if (row == null) {
                    continue;
                }
                groups.add(metrics.size() == 1 ? workload : workload + " " + metric.label().split(" ")[0]);
                contenders.forEach(c -> values.get(c).add(row.median(c)));
            }
        }
        return new ChartPanel(title, log, groups, values);
    }
}
