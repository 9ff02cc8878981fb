package io.spool.metadata;

import java.util.Objects;

/**
 * Sets ({@code value != null}) or deletes ({@code value == null}) one config of a resource. For
 * {@link ConfigResourceType#TOPIC} the resource name is the topic name; for {@link ConfigResourceType#BROKER} it
 * is the broker id in decimal, or the empty string for the cluster-wide broker default.
 */
public record ConfigRecord(ConfigResourceType resourceType, String resourceName, String name, String value)
        implements MetadataRecord {
    public ConfigRecord {
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(resourceName, "resourceName");
        Objects.requireNonNull(name, "name");
    }
}
