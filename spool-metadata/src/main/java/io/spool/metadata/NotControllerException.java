package io.spool.metadata;

/** This node cannot write to the metadata log now: it is not the leader, or the quorum is closed or leaderless. */
public class NotControllerException extends MetadataException {
    public NotControllerException(String message) {
        super(message);
    }

    public NotControllerException(String message, Throwable cause) {
        super(message, cause);
    }
}
