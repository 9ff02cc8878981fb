package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TimestampParserTest {
    private static final long NOON_UTC = 1_714_564_800_000L;

    @Test
    void shouldReadEpochMillisWhenTextIsDigits() {
        assertThat(TimestampParser.parse("1714564800000")).isEqualTo(NOON_UTC);
    }

    @Test
    void shouldReadIsoInstantAndOffsets() {
        assertThat(TimestampParser.parse("2024-05-01T12:00:00Z")).isEqualTo(NOON_UTC);
        assertThat(TimestampParser.parse("2024-05-01T14:00:00+02:00")).isEqualTo(NOON_UTC);
        assertThat(TimestampParser.parse("2024-05-01T12:00:00.250Z")).isEqualTo(NOON_UTC + 250);
    }

    @Test
    void shouldReadLocalTimesAsUtcWhenNoOffsetIsGiven() {
        assertThat(TimestampParser.parse("2024-05-01T12:00:00")).isEqualTo(NOON_UTC);
        assertThat(TimestampParser.parse("2024-05-01")).isEqualTo(NOON_UTC - 12 * 3_600_000L);
    }

    @Test
    void shouldRejectOtherText() {
        assertThatThrownBy(() -> TimestampParser.parse("-5")).isInstanceOf(CliException.class);
        assertThatThrownBy(() -> TimestampParser.parse("99999999999999999999")).isInstanceOf(CliException.class);
        assertThatThrownBy(() -> TimestampParser.parse("")).isInstanceOf(CliException.class);
    }

    @Test
    void shouldReadOffsetKeywordsAndNumbers() {
        assertThat(StartPosition.ofOffset("earliest")).isEqualTo(new StartPosition.Beginning());
        assertThat(StartPosition.ofOffset("LATEST")).isEqualTo(new StartPosition.End());
        assertThat(StartPosition.ofOffset("17")).isEqualTo(new StartPosition.AtOffset(17));
        assertThatThrownBy(() -> StartPosition.ofOffset("-1")).isInstanceOf(CliException.class);
    }
}
