package io.spool.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EndToEndLatencyOutputTest {
    @Test
    void shouldReadAverageAndPercentiles() {
        String output = "0\t436.635841\n1000\t6.200514\nAvg latency: 6.5968 ms\n"
                + "Percentiles: 50th = 3, 99th = 43, 99.9th = 183\n";

        assertThat(EndToEndLatencyOutput.parse(output)).containsEntry(Metric.AVG_MS, 6.5968)
                .containsEntry(Metric.P50_MS, 3.0).containsEntry(Metric.P99_MS, 43.0)
                .containsEntry(Metric.P999_MS, 183.0);
    }

    @Test
    void shouldFailWithoutPercentiles() {
        assertThatThrownBy(() -> EndToEndLatencyOutput.parse("Avg latency: 6.5968 ms\n"))
                .hasMessageContaining("no latency summary");
    }
}
