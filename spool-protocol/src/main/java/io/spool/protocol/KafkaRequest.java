package io.spool.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One decoded request: its header, its body as a kafka-clients message, and the frame the body's byte fields
 * (record batches above all) still point into. {@link #release()} frees the frame once the request is answered.
 * Owned by the connection's event loop.
 */
public final class KafkaRequest {
    private final RequestHeader header;
    private final ApiMessage body;
    private final int sizeInBytes;
    private final boolean unsupportedApiVersions;
    private ByteBuf frame;

    KafkaRequest(RequestHeader header, ApiMessage body, int sizeInBytes, boolean unsupportedApiVersions,
            ByteBuf frame) {
        this.header = header;
        this.body = body;
        this.sizeInBytes = sizeInBytes;
        this.unsupportedApiVersions = unsupportedApiVersions;
        this.frame = frame;
    }

    public RequestHeader header() {
        return header;
    }

    public ApiKeys apiKey() {
        return header.apiKey();
    }

    public short apiVersion() {
        return header.apiVersion();
    }

    public int correlationId() {
        return header.correlationId();
    }

    public String clientId() {
        return header.clientId() == null ? "" : header.clientId();
    }

    @SuppressWarnings("unchecked")
    public <T extends ApiMessage> T body() {
        return (T) body;
    }

    /** Size of the frame, for accounting memory held by requests in flight. */
    public int sizeInBytes() {
        return sizeInBytes;
    }

    /**
     * True for an ApiVersions request of a version newer than this broker knows: KIP-511 says to answer it with
     * UNSUPPORTED_VERSION in a v0 response that lists our versions, so the client can downgrade.
     */
    public boolean isUnsupportedApiVersions() {
        return unsupportedApiVersions;
    }

    public void release() {
        if (frame != null) {
            ReferenceCountUtil.release(frame);
            frame = null;
        }
    }

    @Override
    public String toString() {
        return header.apiKey() + " v" + header.apiVersion() + " correlationId=" + header.correlationId()
                + " clientId=" + header.clientId();
    }
}
