package io.spool.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Function;

/**
 * Reads a point in time given on the command line: epoch milliseconds, or ISO-8601 as
 * {@code 2024-05-01T12:00:00Z}, {@code 2024-05-01T12:00:00+02:00}, {@code 2024-05-01T12:00:00} or
 * {@code 2024-05-01}; a time without an offset is UTC. Stateless.
 */
final class TimestampParser {
    private static final List<Function<String, Instant>> ISO_FORMATS = List.of(
            s -> OffsetDateTime.parse(s).toInstant(),
            Instant::parse,
            s -> LocalDateTime.parse(s).toInstant(ZoneOffset.UTC),
            s -> LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant());

    private TimestampParser() {
    }

    /** @throws CliException (usage) when the text is neither */
    static long parse(String text) {
        String t = text.strip();
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw invalid(text);
            }
        }
        for (Function<String, Instant> format : ISO_FORMATS) {
            try {
                return format.apply(t).toEpochMilli();
            } catch (DateTimeParseException e) {
                // not this format; try the next
            }
        }
        throw invalid(text);
    }

    private static CliException invalid(String text) {
        return CliException.usage("Invalid timestamp '" + text
                + "': expected epoch milliseconds or ISO-8601 such as 2024-05-01T12:00:00Z");
    }
}
