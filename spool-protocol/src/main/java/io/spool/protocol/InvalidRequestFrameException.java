package io.spool.protocol;

/** A frame that cannot be parsed as a request we accept; the connection that sent it is closed. */
public final class InvalidRequestFrameException extends RuntimeException {
    public InvalidRequestFrameException(String message, Throwable cause) {
        super(message, cause);
    }

    public InvalidRequestFrameException(String message) {
        super(message);
    }
}
