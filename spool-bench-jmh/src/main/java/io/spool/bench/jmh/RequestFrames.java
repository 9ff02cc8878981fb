package io.spool.bench.jmh;

import java.nio.ByteBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * Serializes a request as a client puts it on the wire: a 4-byte size, the request header of the version that API
 * and version use, then the body. Stateless and thread-safe.
 */
public final class RequestFrames {

    private RequestFrames() {
    }

    /** The whole frame, size prefix included, in a heap buffer positioned at 0. */
    public static ByteBuffer frame(ApiKeys key, short version, int correlationId, ApiMessage body) {
        short headerVersion = key.requestHeaderVersion(version);
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version)
            .setCorrelationId(correlationId).setClientId("spool-jmh-client");
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.size(cache, headerVersion) + body.size(cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(4 + size);
        buffer.putInt(size);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        return buffer.flip();
    }
}
