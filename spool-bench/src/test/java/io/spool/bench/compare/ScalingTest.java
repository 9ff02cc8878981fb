package io.spool.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScalingTest {
    @Test
    void shouldRunTheIssuesWorkloadsAtScaleOne() {
        Scaling full = new Scaling(1);

        assertThat(full.records(Workload.A)).isEqualTo(1_000_000);
        assertThat(full.records(Workload.B)).isEqualTo(2_000_000);
        assertThat(full.records(Workload.E)).isEqualTo(10_000);
        assertThat(full.records(Workload.F)).isEqualTo(1_000_000);
        assertThat(full.fixedRateSeconds()).isEqualTo(30);
        assertThat(full.records(Workload.D)).isEqualTo(600_000);
        assertThat(full.warmupRecords()).isEqualTo(100_000);
    }

    @Test
    void shouldKeepTheRateAndAtLeastOneSecondOfWarmupWhenScaledDown() {
        Scaling smoke = new Scaling(0.02);

        assertThat(smoke.records(Workload.A)).isEqualTo(20_000);
        assertThat(smoke.warmupSeconds()).isEqualTo(1);
        assertThat(smoke.fixedRateSeconds()).isEqualTo(3);
        assertThat(smoke.records(Workload.D)).isEqualTo(60_000);
        assertThat(smoke.warmupRecords()).isEqualTo(20_000);
    }

    @Test
    void shouldNeverGoBelowTheFloorsThatKeepPercentilesMeaningful() {
        Scaling tiny = new Scaling(0.0001);

        assertThat(tiny.records(Workload.B)).isEqualTo(Scaling.MIN_RECORDS);
        assertThat(tiny.records(Workload.E)).isEqualTo(Scaling.MIN_LATENCY_RECORDS);
    }

    @Test
    void shouldRefuseANonPositiveScale() {
        assertThatThrownBy(() -> new Scaling(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
