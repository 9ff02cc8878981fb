package io.spool.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConsumerPerformanceOutputTest {
    private static final String HEADER = "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg,"
            + " nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";
    private static final String ROW = "2026-11-24 00:46:21:066, 2026-11-24 00:46:27:715, 48.8281, 7.3437, 50000,"
            + " 7519.9278, 5111, 1538, 31.7478, 32509.7529";

    @Test
    void shouldTakeTheFetchColumnsWhichLeaveOutTheGroupJoin() {
        assertThat(ConsumerPerformanceOutput.parse("some warning\n" + HEADER + "\n" + ROW + "\n", 50_000))
                .containsEntry(Metric.RECORDS_PER_SEC, 32509.7529).containsEntry(Metric.MB_PER_SEC, 31.7478)
                .hasSize(2);
    }

    @Test
    void shouldFailWhenFewerRecordsThanExpectedWereRead() {
        assertThatThrownBy(() -> ConsumerPerformanceOutput.parse(HEADER + "\n" + ROW, 60_000))
                .hasMessage("ConsumerPerformance read 50000 of 60000 records");
    }

    @Test
    void shouldFailWithoutAResultRow() {
        assertThatThrownBy(() -> ConsumerPerformanceOutput.parse(HEADER, 1))
                .hasMessageContaining("no result row");
    }
}
