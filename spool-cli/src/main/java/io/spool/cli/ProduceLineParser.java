package io.spool.cli;

import java.nio.charset.StandardCharsets;

/**
 * Splits one input line of {@code spool produce} into key and value. Without a key separator the whole line is the
 * value and the key is {@code null}; with one, the text before its first occurrence is the key and the rest the
 * value. Immutable.
 */
final class ProduceLineParser {
    /** A parsed line; the key is {@code null} when the record has none. */
    record Parsed(byte[] key, byte[] value) {
    }

    private final String keySeparator;

    /** @param keySeparator {@code null} or empty when lines carry no key */
    ProduceLineParser(String keySeparator) {
        this.keySeparator = keySeparator == null || keySeparator.isEmpty() ? null : keySeparator;
    }

    /**
     * @param lineNumber 1-based, for the error message
     * @throws CliException (failed) when a key separator is expected but the line lacks it
     */
    Parsed parse(String line, long lineNumber) {
        if (keySeparator == null) {
            return new Parsed(null, bytes(line));
        }
        int at = line.indexOf(keySeparator);
        if (at < 0) {
            throw CliException.failed("Line " + lineNumber + " has no key separator '" + printable(keySeparator)
                    + "'");
        }
        return new Parsed(bytes(line.substring(0, at)), bytes(line.substring(at + keySeparator.length())));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String printable(String separator) {
        return separator.replace("\t", "\\t");
    }
}
