package io.spool.metadata;

import java.util.concurrent.CompletableFuture;

/**
 * Serves the controller requests that nodes send to the quorum's leader with
 * {@link MetadataQuorum#sendToController}: an opaque request in, an opaque answer out (the broker module puts
 * Kafka-protocol messages in them). It is called only while this node leads the quorum, on a Ratis server thread,
 * so it must not block: it starts the work and completes the future when the answer is ready. An exceptional
 * future reaches the sender as a failed attempt, which it retries.
 */
@FunctionalInterface
public interface ControllerRequestHandler {
    CompletableFuture<byte[]> handle(byte[] request);
}
