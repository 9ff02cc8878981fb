package io.spool.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;

class RequestDecoderTest {
    private static final SupportedApis APIS = SupportedApis.builder()
            .add(ApiKeys.API_VERSIONS, 0, 4)
            .add(ApiKeys.METADATA, 0, 13)
            .build();
    private final RequestDecoder decoder = new RequestDecoder(APIS);

    @Test
    void shouldDecodeMetadataRequestWhenVersionSupported() {
        MetadataRequestData body = new MetadataRequestData().setTopics(null).setAllowAutoTopicCreation(false);
        KafkaRequest request = decoder.decode(frame(ApiKeys.METADATA, (short) 12, 42, body));
        assertThat(request.apiKey()).isEqualTo(ApiKeys.METADATA);
        assertThat(request.correlationId()).isEqualTo(42);
        assertThat(request.clientId()).isEqualTo("test-client");
        assertThat(((MetadataRequestData) request.body()).topics()).isNull();
        request.release();
    }

    @Test
    void shouldFlagApiVersionsWhenVersionIsNewerThanSupported() {
        ByteBuf frame = Unpooled.buffer().writeShort(ApiKeys.API_VERSIONS.id).writeShort(99).writeInt(7)
                .writeShort(-1).writeByte(0).writeBytes(new byte[] {1, 2, 3});
        KafkaRequest request = decoder.decode(frame);
        assertThat(request.isUnsupportedApiVersions()).isTrue();
        assertThat(request.correlationId()).isEqualTo(7);
        request.release();
    }

    @Test
    void shouldRejectFrameWhenVersionIsNotAdvertised() {
        ByteBuf frame = frame(ApiKeys.METADATA, (short) 12, 1, new MetadataRequestData());
        frame.setShort(2, 99);
        assertThatThrownBy(() -> decoder.decode(frame)).isInstanceOf(InvalidRequestFrameException.class);
        assertThat(frame.refCnt()).isZero();
    }

    @Test
    void shouldRejectFrameWhenApiKeyIsUnknown() {
        ByteBuf frame = Unpooled.buffer().writeShort(999).writeShort(0).writeInt(1).writeShort(-1);
        assertThatThrownBy(() -> decoder.decode(frame)).isInstanceOf(InvalidRequestFrameException.class);
        assertThat(frame.refCnt()).isZero();
    }

    @Property(tries = 500)
    void shouldRejectOrDecodeButNeverFailOtherwiseWhenBodyIsRandom(@ForAll byte[] garbage) {
        ByteBuf frame = Unpooled.buffer().writeShort(ApiKeys.METADATA.id).writeShort(12).writeInt(3)
                .writeShort(1).writeByte('c').writeByte(0).writeBytes(garbage);
        try {
            decoder.decode(frame).release();
        } catch (InvalidRequestFrameException expected) {
            assertThat(frame.refCnt()).isZero();
        }
    }

    @Test
    void shouldEncodeApiVersionsResponseWithHeaderV0WhenClientIsAhead() {
        ResponseEncoder encoder = new ResponseEncoder(ByteBufAllocator.DEFAULT);
        ApiVersionsResponseData body = APIS.toResponse(Errors.UNSUPPORTED_VERSION.code());
        List<Object> parts = encoder.encode(ApiKeys.API_VERSIONS, (short) 0, 9, body);
        CompositeByteBuf all = Unpooled.compositeBuffer();
        parts.forEach(p -> all.addComponent(true, (ByteBuf) p));
        ByteBuffer buffer = all.nioBuffer();
        assertThat(buffer.getInt()).isEqualTo(buffer.remaining());
        ResponseHeader header = ResponseHeader.parse(buffer, (short) 0);
        assertThat(header.correlationId()).isEqualTo(9);
        ApiVersionsResponseData decoded = new ApiVersionsResponseData();
        decoded.read(new ByteBufferAccessor(buffer), (short) 0);
        assertThat(decoded.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(decoded.apiKeys().find(ApiKeys.METADATA.id).maxVersion()).isEqualTo((short) 13);
        all.release();
    }

    @Test
    void shouldAdvertiseOnlyRegisteredApis() {
        assertThat(APIS.isSupported(ApiKeys.PRODUCE, (short) 9)).isFalse();
        assertThat(APIS.toApiVersions()).hasSize(2);
        assertThat(new ApiVersionsRequestData().apiKey()).isEqualTo(ApiKeys.API_VERSIONS.id);
    }

    private static ByteBuf frame(ApiKeys key, short version, int correlationId, ApiMessage body) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId("test-client");
        short headerVersion = key.requestHeaderVersion(version);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.size(cache, headerVersion) + body.size(cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(size);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        buffer.flip();
        return Unpooled.wrappedBuffer(buffer);
    }
}
