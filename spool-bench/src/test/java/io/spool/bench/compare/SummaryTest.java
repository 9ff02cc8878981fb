package io.spool.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryTest {
    @Test
    void shouldTakeTheMiddleValueOrTheMeanOfTheTwoMiddleOnes() {
        assertThat(Summary.median(List.of(5.0, 1.0, 3.0))).isEqualTo(3.0);
        assertThat(Summary.median(List.of(4.0, 1.0, 3.0, 10.0))).isEqualTo(3.5);
    }

    @Test
    void shouldLeaveFailedRunsOutOfTheMediansAndRatios() {
        List<RunResult> results = List.of(
                run(1, Contender.KAFKA, "a", 100), run(2, Contender.KAFKA, "a", 300), run(3, Contender.KAFKA, "a", 200),
                run(1, Contender.SPOOL, "a", 250), run(2, Contender.SPOOL, "a", 150),
                RunResult.failed(3, Contender.SPOOL, "a", "timed out", "r3-spool/a.log"));

        SummaryRow row = Summary.of(results).get(0);

        assertThat(row.metric()).isEqualTo(Metric.RECORDS_PER_SEC);
        assertThat(row.median(Contender.KAFKA)).isEqualTo(200);
        assertThat(row.median(Contender.SPOOL)).isEqualTo(200);
        assertThat(row.counts()).containsEntry(Contender.SPOOL, 2);
        assertThat(row.ratioToKafka(Contender.SPOOL)).isCloseTo(1.0, within(1e-9));
        assertThat(row.ratioToKafka(Contender.SPOOL_PAGE_CACHE)).isNaN();
    }

    @Test
    void shouldOrderStartUpFirstAndTheWholeRunLast() {
        List<RunResult> results = List.of(run(1, Contender.KAFKA, RunResult.WHOLE_RUN, 1),
                run(1, Contender.KAFKA, "b", 1), run(1, Contender.KAFKA, RunResult.START, 1),
                run(1, Contender.KAFKA, "a", 1));

        assertThat(Summary.of(results)).extracting(SummaryRow::workload).containsExactly(RunResult.START, "a", "b",
                RunResult.WHOLE_RUN);
    }

    private static RunResult run(int repetition, Contender contender, String workload, double recordsPerSec) {
        return new RunResult(repetition, contender, workload, null, Map.of(Metric.RECORDS_PER_SEC, recordsPerSec), "");
    }
}
