package io.spool.metadata;

import java.util.Optional;

/**
 * Kafka's rules for topic names: 1 to 249 characters from {@code [a-zA-Z0-9._-]}, not {@code "."} or {@code ".."}.
 * Because metric names replace '.' with '_', two topics whose names differ only there collide. Stateless.
 */
public final class TopicNames {
    public static final int MAX_LENGTH = 249;

    private TopicNames() {
    }

    /** Why the name is illegal, or empty when it is legal. */
    public static Optional<String> validate(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("Topic name is illegal, it can't be empty");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("Topic name cannot be \".\" or \"..\"");
        }
        if (name.length() > MAX_LENGTH) {
            return Optional.of("Topic name is illegal, it can't be longer than " + MAX_LENGTH + " characters, "
                    + "topic name: " + name);
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isLegalChar(name.charAt(i))) {
                return Optional.of("Topic name \"" + name + "\" is illegal, it contains a character other than "
                        + "ASCII alphanumerics, '.', '_' and '-'");
            }
        }
        return Optional.empty();
    }

    private static boolean isLegalChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-';
    }

    /** The name with every '.' replaced by '_': two names collide when these are equal. */
    public static String collisionKey(String name) {
        return name.replace('.', '_');
    }

    /** Whether the name contains a character that can collide ('.' or '_'). */
    public static boolean hasCollisionChars(String name) {
        return name.indexOf('.') >= 0 || name.indexOf('_') >= 0;
    }

    /** Whether this is one of the internal topics that Kafka's coordinators own. */
    public static boolean isInternal(String name) {
        return name.equals("__consumer_offsets") || name.equals("__transaction_state")
                || name.equals("__share_group_state");
    }
}
