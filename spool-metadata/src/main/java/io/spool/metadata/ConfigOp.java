package io.spool.metadata;

import java.util.Objects;
import java.util.Optional;

/** One operation of IncrementalAlterConfigs on one config; {@code value} is ignored (and may be null) for DELETE. */
public record ConfigOp(String name, Kind kind, String value) {
    /** Kafka's AlterConfigOp.OpType, with its wire ids. */
    public enum Kind {
        SET(0), DELETE(1), APPEND(2), SUBTRACT(3);

        private final int id;

        Kind(int id) {
            this.id = id;
        }

        /** The kind with this wire id, or empty for an unknown id. */
        public static Optional<Kind> fromId(int id) {
            for (Kind kind : values()) {
                if (kind.id == id) {
                    return Optional.of(kind);
                }
            }
            return Optional.empty();
        }
    }

    public ConfigOp {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
    }

    public static ConfigOp set(String name, String value) {
        return new ConfigOp(name, Kind.SET, value);
    }

    public static ConfigOp delete(String name) {
        return new ConfigOp(name, Kind.DELETE, null);
    }
}
