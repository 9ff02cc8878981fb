package io.spool.broker.network;

import io.spool.protocol.KafkaRequest;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Serves requests of one or more APIs. Called on the connection's event loop; it must not block, so anything that
 * waits (an fsync, a long-poll fetch, a metadata commit) completes the returned stage later from another thread.
 * A {@code null} response means none is sent (produce with acks=0).
 */
@FunctionalInterface
public interface RequestHandler {
    CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection);
}
