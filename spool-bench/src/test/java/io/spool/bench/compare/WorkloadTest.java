package io.spool.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WorkloadTest {
    @Test
    void shouldRunChosenWorkloadsInLetterOrder() {
        assertThat(Workload.parse("e, b,d")).containsExactly(Workload.B, Workload.D, Workload.E);
    }

    @Test
    void shouldBringAAlongWhenCIsChosenBecauseCReadsItsTopic() {
        assertThat(Workload.parse("c")).containsExactly(Workload.A, Workload.C);
    }

    @Test
    void shouldRefuseUnknownLettersAndAnEmptyList() {
        assertThatThrownBy(() -> Workload.parse("a,g")).hasMessageContaining("'g'");
        assertThatThrownBy(() -> Workload.parse(" , ")).hasMessageContaining("No workload");
    }
}
