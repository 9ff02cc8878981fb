package io.spool.metadata;

/** Bytes that should hold metadata records do not: bad checksum, unknown type, or a size out of bounds. */
public class CorruptMetadataException extends MetadataException {
    public CorruptMetadataException(String message) {
        super(message);
    }
}
