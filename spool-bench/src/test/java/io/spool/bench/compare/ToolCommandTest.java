package io.spool.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ToolCommandTest {
    private static final Scaling FULL = new Scaling(1);

    @Test
    void shouldProduceUnthrottledWithTheWorkloadsAcksAndLinger() {
        ToolCommand command = ToolCommand.of(Workload.B, FULL, "127.0.0.1:9092", "bench-b");

        assertThat(command.mainClass()).isEqualTo(ToolCommand.PRODUCER_PERFORMANCE);
        assertThat(command.args()).containsExactly("--bootstrap-server", "127.0.0.1:9092", "--topic", "bench-b",
                "--num-records", "2000000", "--record-size", "100", "--throughput", "-1", "--command-property",
                "acks=1", "linger.ms=5");
    }

    @Test
    void shouldThrottleWorkloadDAndDropItsWarmup() {
        ToolCommand command = ToolCommand.of(Workload.D, FULL, "b:1", "bench-d");

        assertThat(String.join(" ", command.args())).contains("--num-records 600000", "--throughput 20000",
                "--warmup-records 100000", "acks=all");
    }

    @Test
    void shouldConsumeAsManyRecordsAsAProduced() {
        ToolCommand command = ToolCommand.of(Workload.C, new Scaling(0.5), "b:1", "bench-a");

        assertThat(command.mainClass()).isEqualTo(ToolCommand.CONSUMER_PERFORMANCE);
        assertThat(String.join(" ", command.args())).contains("--topic bench-a", "--num-records 500000");
    }

    @Test
    void shouldUseNamedArgumentsForEndToEndLatency() {
        ToolCommand command = ToolCommand.of(Workload.E, FULL, "b:1", "bench-e");

        assertThat(command.args()).containsExactly("--bootstrap-server", "b:1", "--topic", "bench-e",
                "--num-records", "10000", "--producer-acks", "all", "--record-size", "1024");
    }
}
