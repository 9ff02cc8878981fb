package io.spool.coordinator;

/** A record of {@code __consumer_offsets} that does not decode: truncated, oversized, or of an unknown version. */
public class CorruptCoordinatorRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CorruptCoordinatorRecordException(String message) {
        super(message);
    }
}
