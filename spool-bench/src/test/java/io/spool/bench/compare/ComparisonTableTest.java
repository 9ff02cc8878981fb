package io.spool.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComparisonTableTest {
    @Test
    void shouldPrintMediansAndSpoolOverKafkaRatiosUnderEachWorkloadsHeading() {
        List<RunResult> results = List.of(
                new RunResult(1, Contender.KAFKA, "d", null, Map.of(Metric.P99_MS, 40.0, Metric.AVG_MS, 9.0), ""),
                new RunResult(1, Contender.SPOOL, "d", null, Map.of(Metric.P99_MS, 20.0), ""),
                new RunResult(1, Contender.SPOOL_PAGE_CACHE, "d", null, Map.of(Metric.P99_MS, 0.1), ""));
        List<Contender> all = List.of(Contender.KAFKA, Contender.SPOOL, Contender.SPOOL_PAGE_CACHE);

        String table = ComparisonTable.format(Summary.of(results), all, new Scaling(1));

        assertThat(table.lines()).containsExactly(
                "median of runs                 kafka       spool  spool/kafka  spool (page cache)    pc/kafka",
                "d) 20,000 records/s of 1 KiB, acks=all, 6 partitions, steady state [600,000 records over 30 s,"
                        + " first 5 s dropped]",
                "  p99 latency ms                40.0        20.0        0.50x                0.10     0.0025x");
    }

    @Test
    void shouldKeepTwoSignificantDigitsOfSmallRatios() {
        assertThat(ComparisonTable.ratio(1.234)).isEqualTo("1.23x");
        assertThat(ComparisonTable.ratio(0.0041)).isEqualTo("0.0041x");
        assertThat(ComparisonTable.ratio(Double.NaN)).isEmpty();
    }

    @Test
    void shouldListFailedRunsWithTheirLogs() {
        List<RunResult> results = List.of(RunResult.failed(2, Contender.SPOOL, "f", "timed out after 1800 s",
                "r2-spool/f.log"));

        assertThat(ComparisonTable.failures(results)).isEqualTo(
                "Failed runs:\n  r2 spool f: timed out after 1800 s (r2-spool/f.log)\n");
        assertThat(ComparisonTable.failures(List.of())).isEmpty();
    }
}
