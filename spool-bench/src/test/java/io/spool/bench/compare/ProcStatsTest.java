package io.spool.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatsTest {
    @Test
    void shouldAddUserAndSystemTicksWhenTheCommandNameHoldsSpacesAndParentheses() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 80000 0 12 0 1234 567 0 0 20 0 40 0 100 "
                + "3800000000 130000 18446744073709551615 1 1 0 0 0 0 0 4096 17615 0 0 0 17 1 0 0 0 0 0";

        assertThat(ProcStats.cpuTicks(stat)).isEqualTo(1234 + 567);
    }

    @Test
    void shouldReadThePeakResidentSetInKib() {
        String status = "Name:\tjava\nVmPeak:\t 3800000 kB\nVmHWM:\t  532496 kB\nVmRSS:\t  500000 kB\n";

        assertThat(ProcStats.peakRssKib(status)).isEqualTo(532_496);
    }
}
