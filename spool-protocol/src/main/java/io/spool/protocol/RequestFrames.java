package io.spool.protocol;

import java.nio.ByteBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * The client side of the wire: a request as a size-prefixed frame, and a response frame's body back as a message.
 * What a node needs to talk to another node (replica fetches, controller calls). Stateless.
 */
public final class RequestFrames {
    private RequestFrames() {
    }

    /** The whole frame of a request: 4-byte size, header of the version's header version, body. */
    public static ByteBuffer encode(ApiKeys api, short version, int correlationId, String clientId, ApiMessage body) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId(clientId);
        short headerVersion = api.requestHeaderVersion(version);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.size(cache, headerVersion) + body.size(cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(4 + size);
        buffer.putInt(size);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        buffer.flip();
        return buffer;
    }

    /** The correlation id of a response frame (without its size prefix); the buffer's position is unchanged. */
    public static int correlationId(ByteBuffer frame) {
        return frame.getInt(frame.position());
    }

    /** Parses a response frame (without its size prefix) of {@code api} at {@code version}. */
    public static ApiMessage decodeResponse(ApiKeys api, short version, ByteBuffer frame) {
        ResponseHeader.parse(frame, api.responseHeaderVersion(version));
        ApiMessage response = api.messageType.newResponse();
        response.read(new ByteBufferAccessor(frame), version);
        return response;
    }
}
