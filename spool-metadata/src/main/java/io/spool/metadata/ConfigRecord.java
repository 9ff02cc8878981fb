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

    /** Kafka's answer to a config value longer than a record's string field holds. */
    static final String VALUE_TOO_LONG = "The configuration value cannot be added because it exceeds the maximum"
            + " value size of " + MetadataRecordSerde.MAX_STRING_BYTES + " bytes.";

    /** {@link #VALUE_TOO_LONG} if a value of {@code configs} could not be stored in a record. */
    static Optional<String> checkValueSizes(Map<String, String> configs) {
        int max = MetadataRecordSerde.MAX_STRING_BYTES;
        for (String value : configs.values()) {
            if (value != null && (value.length() > max || value.getBytes(StandardCharsets.UTF_8).length > max)) {
                return Optional.of(VALUE_TOO_LONG);
            }
        }
        return Optional.empty();
    }
}
