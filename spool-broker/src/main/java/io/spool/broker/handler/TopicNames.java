package io.spool.broker.handler;

/** Kafka's rules for a legal topic name. Stateless. */
final class TopicNames {
    static final int MAX_LENGTH = 249;

    private TopicNames() {
    }

    static boolean isValid(String name) {
        if (name.isEmpty() || name.length() > MAX_LENGTH || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!legal) {
                return false;
            }
        }
        return true;
    }
}
