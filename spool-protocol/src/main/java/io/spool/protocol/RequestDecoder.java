package io.spool.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Parses a request frame into a {@link KafkaRequest}: the header (every header version), then the body with the
 * kafka-clients generated message class of that API and version. Stateless.
 */
public final class RequestDecoder {
    private final SupportedApis supported;

    public RequestDecoder(SupportedApis supported) {
        this.supported = supported;
    }

    /**
     * Decodes one frame. On success the returned request owns {@code frame}; on failure the frame is released here.
     *
     * @throws InvalidRequestFrameException for an unknown API key, a version this broker does not serve (except
     *     ApiVersions, see {@link KafkaRequest#isUnsupportedApiVersions()}), or a body that does not parse
     */
    public KafkaRequest decode(ByteBuf frame) {
        try {
            int size = frame.readableBytes();
            ByteBuffer buffer = frame.nioBuffer();
            if (buffer.remaining() < 4) {
                throw new InvalidRequestFrameException("Frame of " + size + " bytes is too short for a header");
            }
            short keyId = buffer.getShort(0);
            short version = buffer.getShort(2);
            if (!ApiKeys.hasId(keyId)) {
                throw new InvalidRequestFrameException("Unknown API key " + keyId);
            }
            ApiKeys key = ApiKeys.forId(keyId);
            boolean unsupportedApiVersions = key == ApiKeys.API_VERSIONS && !supported.isSupported(key, version);
            if (!unsupportedApiVersions && !supported.isSupported(key, version)) {
                throw new InvalidRequestFrameException("Unsupported version " + version + " of " + key);
            }
            RequestHeader header = RequestHeader.parse(buffer);
            ApiMessage body;
            if (unsupportedApiVersions) {
                // The body of an unknown future version cannot be parsed; KIP-511 says to answer it anyway.
                body = new ApiVersionsRequestData();
            } else {
                body = key.messageType.newRequest();
                body.read(new ByteBufferAccessor(buffer), version);
                if (buffer.hasRemaining()) {
                    throw new InvalidRequestFrameException(buffer.remaining() + " trailing bytes after " + key
                            + " v" + version + " body");
                }
            }
            return new KafkaRequest(header, body, size, unsupportedApiVersions, frame);
        } catch (InvalidRequestFrameException e) {
            frame.release();
            throw e;
        } catch (RuntimeException e) {
            frame.release();
            throw new InvalidRequestFrameException("Malformed request: " + e, e);
        }
    }
}
