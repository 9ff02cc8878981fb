package io.spool.cli;

/**
 * One {@code key=value} argument, split at the first '='; without '=' the value is {@code null}.
 *
 * @param key   never empty
 * @param value may be empty or {@code null}
 */
record KeyValue(String key, String value) {

    /** @throws CliException (usage) when the key is empty */
    static KeyValue parse(String option, String text) {
        int eq = text.indexOf('=');
        String key = eq < 0 ? text : text.substring(0, eq);
        if (key.isEmpty()) {
            throw CliException.usage(option + " needs KEY=VALUE, not '" + text + "'");
        }
        return new KeyValue(key, eq < 0 ? null : text.substring(eq + 1));
    }

    /** Like {@link #parse} but the value is required. */
    static KeyValue parseRequired(String option, String text) {
        KeyValue kv = parse(option, text);
        if (kv.value() == null) {
            throw CliException.usage(option + " needs KEY=VALUE, not '" + text + "'");
        }
        return kv;
    }
}
