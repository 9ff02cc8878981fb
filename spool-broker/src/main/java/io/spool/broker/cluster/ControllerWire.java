package io.spool.broker.cluster;

import io.spool.metadata.ControllerRequestHandler;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * The bytes of a controller request and its answer as they travel through the metadata quorum
 * ({@link io.spool.metadata.MetadataQuorum#sendToController}): Kafka-protocol message bodies, without Kafka's
 * request and response headers (the quorum's transport matches answers to requests and needs no correlation id or
 * client id).
 *
 * <pre>
 * request:  apiKey:int16  apiVersion:int16  body:(the api's request message at apiVersion)
 * answer:   body:(the api's response message at the request's apiVersion)
 * </pre>
 *
 * For example a BrokerHeartbeat v1 request is {@code 00 3F 00 01} followed by the tagged-field encoding of
 * BrokerHeartbeatRequestData v1. Stateless.
 */
public final class ControllerWire {
    private static final int HEADER_BYTES = 4;

    private ControllerWire() {
    }

    /** What answers controller requests: {@link ControllerApis#handle}. */
    @FunctionalInterface
    public interface Apis {
        CompletableFuture<ApiMessage> handle(ApiKeys api, short version, ApiMessage request);
    }

    /** A decoded controller request. */
    record Request(ApiKeys api, short version, ApiMessage body) {
    }

    static byte[] encodeRequest(ApiKeys api, short version, ApiMessage body) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_BYTES + body.size(cache, version));
        buffer.putShort(api.id).putShort(version);
        body.write(new ByteBufferAccessor(buffer), cache, version);
        return buffer.array();
    }

    /**
     * Which APIs the controller serves is {@link ControllerApis}'s business; this only checks that the bytes are a
     * request of a known API and version.
     *
     * @throws InvalidRequestException for an unknown API, a bad version or a bad body
     */
    static Request decodeRequest(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (buffer.remaining() < HEADER_BYTES) {
            throw new InvalidRequestException("Controller request of " + bytes.length + " bytes");
        }
        short key = buffer.getShort();
        short version = buffer.getShort();
        if (!ApiKeys.hasId(key)) {
            throw new InvalidRequestException("Unknown API key " + key);
        }
        ApiKeys api = ApiKeys.forId(key);
        if (!api.isVersionSupported(version)) {
            throw new InvalidRequestException(api + " v" + version + " is not supported");
        }
        ApiMessage body = api.messageType.newRequest();
        try {
            body.read(new ByteBufferAccessor(buffer), version);
        } catch (RuntimeException e) {
            throw new InvalidRequestException("Bad " + api + " v" + version + " body: " + e.getMessage());
        }
        return new Request(api, version, body);
    }

    static byte[] encodeResponse(short version, ApiMessage body) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer buffer = ByteBuffer.allocate(body.size(cache, version));
        body.write(new ByteBufferAccessor(buffer), cache, version);
        return buffer.array();
    }

    static ApiMessage decodeResponse(ApiKeys api, short version, byte[] bytes) {
        ApiMessage body = api.messageType.newResponse();
        body.read(new ByteBufferAccessor(ByteBuffer.wrap(bytes)), version);
        return body;
    }

    /**
     * What a controller node serves through the quorum while it leads: each request decoded, handled by
     * {@code apis} and its answer encoded. A request that does not decode, or of an API that {@code apis} does not
     * serve, fails (the sender sees a failed attempt).
     */
    public static ControllerRequestHandler server(Apis apis) {
        return bytes -> {
            try {
                Request request = decodeRequest(bytes);
                return apis.handle(request.api(), request.version(), request.body())
                        .thenApply(response -> encodeResponse(request.version(), response));
            } catch (InvalidRequestException | IllegalArgumentException e) {
                // A request the controller does not serve: a bug of the sender, failed rather than answered.
                return CompletableFuture.failedFuture(e);
            }
        };
    }
}
