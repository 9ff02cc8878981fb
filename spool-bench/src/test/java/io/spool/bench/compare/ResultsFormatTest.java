package io.spool.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultsFormatTest {
    @Test
    void shouldWriteOneCsvRowPerRunWithEmptyCellsForUnmeasuredMetrics() {
        List<RunResult> results = List.of(
                new RunResult(1, Contender.KAFKA, "a", null, Map.of(Metric.RECORDS_PER_SEC, 7681.671532),
                        "r1/a.log"),
                RunResult.failed(1, Contender.SPOOL, "a", "exit 1, see \"log\"", "r1-spool/a.log"));

        List<String> lines = ResultsCsv.format(results).lines().toList();

        assertThat(lines.get(0)).startsWith("repetition,system,workload,ok,records_per_sec,mb_per_sec,")
                .endsWith(",error,log");
        assertThat(lines.get(1)).startsWith("1,kafka,a,true,7681.6715,,").endsWith(",,r1/a.log");
        assertThat(lines.get(2)).startsWith("1,spool,a,false,,")
                .endsWith(",\"exit 1, see \"\"log\"\"\",r1-spool/a.log");
    }

    @Test
    void shouldWriteJsonLiterals() {
        assertThat(Json.string("a\"b\\c\nd\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001\"");
        assertThat(Json.string(null)).isEqualTo("null");
        assertThat(Json.number(3.0)).isEqualTo("3");
        assertThat(Json.number(0.123456)).isEqualTo("0.1235");
        assertThat(Json.number(Double.NaN)).isEqualTo("null");
    }

    @Test
    void shouldDrawOneBarPerMeasuredMedian() {
        List<RunResult> results = List.of(
                new RunResult(1, Contender.KAFKA, "a", null, Map.of(Metric.MB_PER_SEC, 6.4), ""),
                new RunResult(1, Contender.SPOOL, "a", null, Map.of(Metric.MB_PER_SEC, 6.6), ""),
                new RunResult(1, Contender.SPOOL_PAGE_CACHE, "d", null, Map.of(Metric.P99_MS, 223.0), ""));

        String svg = ComparisonChart.render(Summary.of(results), List.of(Contender.values()), "test");

        assertThat(svg).startsWith("<svg").endsWith("</svg>\n");
        assertThat(svg.split("<rect x=", -1)).hasSize(1 + 3 + 3);
        assertThat(svg).contains(">6.4</text>", ">6.6</text>", ">223</text>", ">d p99</text>");
    }

    @Test
    void shouldDrawEmptyPanelsWhenNoWorkloadSucceeded() {
        List<RunResult> results = List.of(RunResult.failed(1, Contender.SPOOL, "a", "timed out", "r1-spool/a.log"));

        String svg = ComparisonChart.render(Summary.of(results), List.of(Contender.values()), "test");

        assertThat(svg).endsWith("</svg>\n").doesNotContain("<rect x=\"70\"");
    }
}
