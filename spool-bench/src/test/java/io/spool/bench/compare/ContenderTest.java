package io.spool.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ContenderTest {
    @Test
    void shouldParseSystemsInDeclarationOrder() {
        assertThat(Contender.parse("spool,KAFKA")).containsExactly(Contender.KAFKA, Contender.SPOOL);
    }

    @Test
    void shouldRefuseAnUnknownSystem() {
        assertThatThrownBy(() -> Contender.parse("kafka,redpanda")).hasMessageContaining("'redpanda'");
    }

    @Test
    void shouldRunOnlyWorkloadDInPageCacheMode() {
        assertThat(List.of(Workload.values())).filteredOn(Contender.SPOOL_PAGE_CACHE::runs)
                .containsExactly(Workload.D);
        assertThat(List.of(Workload.values())).allMatch(Contender.SPOOL::runs);
    }

    @Test
    void shouldAlternateTheOrderEveryRepetition() {
        List<Contender> all = List.of(Contender.KAFKA, Contender.SPOOL, Contender.SPOOL_PAGE_CACHE);

        assertThat(CompareRunner.order(all, 1)).containsExactly(Contender.KAFKA, Contender.SPOOL,
                Contender.SPOOL_PAGE_CACHE);
        assertThat(CompareRunner.order(all, 2)).containsExactly(Contender.SPOOL_PAGE_CACHE, Contender.SPOOL,
                Contender.KAFKA);
        assertThat(CompareRunner.order(all, 3)).isEqualTo(CompareRunner.order(all, 1));
    }
}
