package io.spool.metadata;

/** The kind of resource a {@link ConfigRecord} configures. The ids are part of the record encoding. */
public enum ConfigResourceType {
    TOPIC(0),
    BROKER(1);

    private final int id;

    ConfigResourceType(int id) {
        this.id = id;
    }

    /** The stable id written by {@link MetadataRecordSerde}. */
    public int id() {
        return id;
    }

    /** The type with this id, or empty when the id is unknown. */
    public static java.util.Optional<ConfigResourceType> fromId(int id) {
        for (ConfigResourceType type : values()) {
            if (type.id == id) {
                return java.util.Optional.of(type);
            }
        }
        return java.util.Optional.empty();
    }
}
