package io.spool.metadata;

/** Base of this module's unchecked exceptions: local I/O, corruption, and a quorum that cannot serve. */
public class MetadataException extends RuntimeException {
    public MetadataException(String message) {
        super(message);
    }

    public MetadataException(String message, Throwable cause) {
        super(message, cause);
    }
}
