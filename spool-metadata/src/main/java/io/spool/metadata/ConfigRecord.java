package io.spool.metadata;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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

    /** Kafka's limit on a config value (a record's string field), and its answer to a longer one. */
    static final String VALUE_TOO_LONG = "The configuration value cannot be added because it exceeds the maximum"
            + " value size of " + Short.MAX_VALUE + " bytes.";

    /** {@link #VALUE_TOO_LONG} if a value of {@code configs} could not be stored in a record. */
    static Optional<String> checkValueSizes(Map<String, String> configs) {
        for (String value : configs.values()) {
            if (value != null && (value.length() > Short.MAX_VALUE
                    || value.getBytes(StandardCharsets.UTF_8).length > Short.MAX_VALUE)) {
                return Optional.of(VALUE_TOO_LONG);
            }
        }
        return Optional.empty();
    }
}
