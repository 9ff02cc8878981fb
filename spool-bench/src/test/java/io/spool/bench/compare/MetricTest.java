package io.spool.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetricTest {
    @Test
    void shouldPrintLargeValuesWithSeparatorsAndSmallOnesWithDecimals() {
        assertThat(Metric.RECORDS_PER_SEC.format(87_032.4)).isEqualTo("87,032");
        assertThat(Metric.P99_MS.format(999.5)).isEqualTo("1,000");
        assertThat(Metric.P99_MS.format(99.96)).isEqualTo("100");
        assertThat(Metric.MB_PER_SEC.format(16.44)).isEqualTo("16.4");
        assertThat(Metric.CPU_SECONDS.format(9.996)).isEqualTo("10.0");
        assertThat(Metric.CPU_SECONDS.format(0.876)).isEqualTo("0.88");
        assertThat(Metric.CPU_SECONDS.format(Double.NaN)).isEqualTo("-");
    }
}
