package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class OffsetResetTest {
    private static final OffsetReset.LogOffsets LOG = new OffsetReset.LogOffsets(10, 50, -1);

    @Test
    void shouldGoToTheFirstRetainedOffsetWhenEarliest() {
        assertThat(new OffsetReset.Earliest().newOffset(30L, LOG)).isEqualTo(10);
        assertThat(new OffsetReset.Earliest().newOffset(null, LOG)).isEqualTo(10);
    }

    @Test
    void shouldGoToTheLogEndWhenLatest() {
        assertThat(new OffsetReset.Latest().newOffset(30L, LOG)).isEqualTo(50);
    }

    @Test
    void shouldClampAnOffsetToTheRetainedRecordsWhenItIsOutside() {
        assertThat(new OffsetReset.ToOffset(25).newOffset(30L, LOG)).isEqualTo(25);
        assertThat(new OffsetReset.ToOffset(0).newOffset(30L, LOG)).isEqualTo(10);
        assertThat(new OffsetReset.ToOffset(-7).newOffset(30L, LOG)).isEqualTo(10);
        assertThat(new OffsetReset.ToOffset(99).newOffset(30L, LOG)).isEqualTo(50);
    }

    @Test
    void shouldShiftTheCommittedOffsetWithinTheRetainedRecordsWhenShiftingBy() {
        assertThat(new OffsetReset.ShiftBy(-5).newOffset(30L, LOG)).isEqualTo(25);
        assertThat(new OffsetReset.ShiftBy(5).newOffset(30L, LOG)).isEqualTo(35);
        assertThat(new OffsetReset.ShiftBy(-100).newOffset(30L, LOG)).isEqualTo(10);
        assertThat(new OffsetReset.ShiftBy(Long.MAX_VALUE).newOffset(30L, LOG)).isEqualTo(50);
    }

    @Test
    void shouldFailWhenShiftingAPartitionWithoutACommittedOffset() {
        assertThatThrownBy(() -> new OffsetReset.ShiftBy(1).newOffset(null, LOG))
                .isInstanceOfSatisfying(CliException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(SpoolCli.EXIT_FAILED));
    }

    @Test
    void shouldGoToTheOffsetAtTheTimeOrTheEndWhenNoRecordIsThatRecent() {
        OffsetReset toTime = new OffsetReset.ToTimestamp(1_700_000_000_000L);

        assertThat(toTime.newOffset(30L, new OffsetReset.LogOffsets(10, 50, 17))).isEqualTo(17);
        assertThat(toTime.newOffset(30L, new OffsetReset.LogOffsets(10, 50, -1))).isEqualTo(50);
    }

    @Property
    void shouldAlwaysLandWithinTheRetainedRecords(@ForAll("resets") OffsetReset reset,
            @ForAll("logs") OffsetReset.LogOffsets log, @ForAll("committed") long committed) {
        long offset = reset.newOffset(committed, log);

        assertThat(offset).isBetween(log.earliest(), log.latest());
    }

    @Provide
    Arbitrary<OffsetReset> resets() {
        Arbitrary<Long> any = Arbitraries.longs();
        return Arbitraries.oneOf(Arbitraries.of(new OffsetReset.Earliest(), new OffsetReset.Latest()),
                any.map(OffsetReset.ToOffset::new), any.map(OffsetReset.ShiftBy::new),
                any.map(OffsetReset.ToTimestamp::new));
    }

    @Provide
    Arbitrary<OffsetReset.LogOffsets> logs() {
        Arbitrary<Long> earliest = Arbitraries.longs().between(0, Long.MAX_VALUE / 2);
        Arbitrary<Long> length = Arbitraries.longs().between(0, Long.MAX_VALUE / 2);
        Arbitrary<Long> atTime = Arbitraries.longs().between(-1, Long.MAX_VALUE);
        return Combinators.combine(earliest, length, atTime)
                .as((e, n, t) -> new OffsetReset.LogOffsets(e, e + n, t));
    }

    @Provide
    Arbitrary<Long> committed() {
        return Arbitraries.longs().between(0, Long.MAX_VALUE);
    }
}
