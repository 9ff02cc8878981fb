package io.spool.metadata;

/**
 * A controller operation whose records would not fit in one metadata log entry: refused before it reaches the
 * quorum, which stays as it was. Kafka answers such an operation with POLICY_VIOLATION.
 */
public final class MetadataTooLargeException extends MetadataException {
    public MetadataTooLargeException(String message) {
        super(message);
    }
}
