package io.spool.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProducerPerformanceOutputTest {
    private static final String RUN = String.join("\n",
            "24031 records sent, 4783.2 records/sec (4.67 MB/sec), 1903.9 ms avg latency, 3296.0 ms max latency.",
            "50000 records sent, 7681.671532 records/sec (7.50 MB/sec), 2503.73 ms avg latency, 3457.00 ms max"
                    + " latency, 2836 ms 50th, 3373 ms 95th, 3411 ms 99th, 3443 ms 99.9th.");

    @Test
    void shouldReadTheFinalSummaryWhenThereIsNoWarmup() {
        Map<Metric, Double> metrics = ProducerPerformanceOutput.parse(RUN, 50_000, 0);

        assertThat(metrics).containsEntry(Metric.RECORDS_PER_SEC, 7681.671532).containsEntry(Metric.MB_PER_SEC, 7.5)
                .containsEntry(Metric.AVG_MS, 2503.73).containsEntry(Metric.P50_MS, 2836.0)
                .containsEntry(Metric.P99_MS, 3411.0).containsEntry(Metric.P999_MS, 3443.0);
    }

    @Test
    void shouldReadTheSteadyStateLineWhenTheToolWarmedUp() {
        String output = String.join("\n",
                "Warmup first 10000 records. Steady state results will print after the complete test summary.",
                "30000 records sent, 4979.253112 records/sec (4.86 MB/sec), 7.05 ms avg latency, 379.00 ms max"
                        + " latency, 4 ms 50th, 24 ms 95th, 52 ms 99th, 69 ms 99.9th.",
                "20000 steady state records sent, 4950.495050 records/sec (4.83 MB/sec), 4.93 ms avg latency, 70.00 ms"
                        + " max latency, 3 ms 50th, 15 ms 95th, 45 ms 99th, 67 ms 99.9th.");

        Map<Metric, Double> metrics = ProducerPerformanceOutput.parse(output, 30_000, 10_000);

        assertThat(metrics).containsEntry(Metric.RECORDS_PER_SEC, 4950.49505).containsEntry(Metric.P50_MS, 3.0)
                .containsEntry(Metric.P99_MS, 45.0).containsEntry(Metric.P999_MS, 67.0);
    }

    @Test
    void shouldFailWhenSomeRecordsWereNotAcknowledged() {
        String output = "19925 records sent, 162.440894 records/sec (0.16 MB/sec), 14533.11 ms avg latency, 29187.00"
                + " ms max latency, 14347 ms 50th, 28393 ms 95th, 28882 ms 99th, 29181 ms 99.9th.";

        assertThatThrownBy(() -> ProducerPerformanceOutput.parse(output, 20_000, 0))
                .hasMessage("only 19925 of 20000 records acknowledged");
    }

    @Test
    void shouldFailWhenThereIsNoSummary() {
        assertThatThrownBy(() -> ProducerPerformanceOutput.parse("Exception in thread \"main\"", 10, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no summary");
    }
}
