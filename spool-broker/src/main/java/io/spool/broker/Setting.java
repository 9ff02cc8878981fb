package io.spool.broker;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The definition of one server setting: its Kafka property name, type, default and the rule its value must follow.
 * Immutable.
 */
public record Setting(String name, Type type, String defaultValue, Predicate<Object> rule, String ruleText, String doc) {

    /** The value types a setting may have; each parses a string as Kafka's server.properties would. */
    public enum Type {
        INT, LONG, BOOLEAN, STRING, LIST, DOUBLE;

        Object parse(String name, String raw) {
            String value = raw.trim();
            try {
                return switch (this) {
                    case INT -> Integer.parseInt(value);
                    case LONG -> Long.parseLong(value);
                    case DOUBLE -> Double.parseDouble(value);
                    case BOOLEAN -> parseBoolean(name, value);
                    case STRING -> value;
                    case LIST -> value.isEmpty() ? List.of()
                            : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
                };
            } catch (NumberFormatException e) {
                throw new InvalidConfigException("Invalid value '" + raw + "' for setting " + name + ": expected "
                        + name().toLowerCase(Locale.ROOT));
            }
        }

        private static Boolean parseBoolean(String name, String value) {
            if (value.equalsIgnoreCase("true")) {
                return Boolean.TRUE;
            }
            if (value.equalsIgnoreCase("false")) {
                return Boolean.FALSE;
            }
            throw new InvalidConfigException("Invalid value '" + value + "' for setting " + name
                    + ": expected true or false");
        }
    }

    static Setting of(String name, Type type, String defaultValue, String doc) {
        return new Setting(name, type, defaultValue, v -> true, "", doc);
    }

    static Setting atLeast(String name, Type type, String defaultValue, long min, String doc) {
        return new Setting(name, type, defaultValue, v -> ((Number) v).longValue() >= min, "must be at least " + min,
                doc);
    }

    static Setting oneOf(String name, String defaultValue, List<String> allowed, String doc) {
        return new Setting(name, Type.STRING, defaultValue, allowed::contains, "must be one of " + allowed, doc);
    }

    /** Parses and checks a value given for this setting; an invalid value throws {@link InvalidConfigException}. */
    Object parse(String raw) {
        Object value = type.parse(name, raw);
        if (!rule.test(value)) {
            throw new InvalidConfigException("Invalid value '" + raw + "' for setting " + name + ": " + ruleText);
        }
        return value;
    }
}
