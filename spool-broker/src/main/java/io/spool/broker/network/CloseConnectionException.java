package io.spool.broker.network;

/**
 * Completes a request when the right answer is to close the connection, as Kafka does for a failed acks=0
 * produce (the producer gets no response, so a closed connection is how it learns of the failure).
 */
public final class CloseConnectionException extends RuntimeException {
    public CloseConnectionException(String message) {
        super(message, null, false, false);
    }
}
