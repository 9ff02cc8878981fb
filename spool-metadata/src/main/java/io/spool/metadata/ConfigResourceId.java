package io.spool.metadata;

import java.util.Objects;

/** A resource whose configs are altered: a topic by name, or a broker by id in decimal ({@code ""}: the default). */
public record ConfigResourceId(ConfigResourceType type, String name) {
    public ConfigResourceId {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
    }
}
