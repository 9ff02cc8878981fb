package io.spool.metadata;

/** Changes nothing; appended to learn that everything before it has been applied. */
public record NoOpRecord() implements MetadataRecord {
    public static final NoOpRecord INSTANCE = new NoOpRecord();
}
