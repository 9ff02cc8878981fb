package io.spool.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.spool.protocol.RequestDecoder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.junit.jupiter.api.Test;

class ConnectionHandlerTest {
    private static final short PRODUCE_VERSION = 9;
    private static final short METADATA_VERSION = 12;

    private final List<CompletableFuture<ApiMessage>> produces = new ArrayList<>();
    private final List<CompletableFuture<ApiMessage>> metadatas = new ArrayList<>();
    private final RequestDispatcher dispatcher = RequestDispatcher.builder()
            .register(ApiKeys.PRODUCE, 3, 9, (request, connection) -> pending(produces))
            .register(ApiKeys.METADATA, 0, 12, (request, connection) -> pending(metadatas))
            .apiVersions(0, 4).build();
    private final EmbeddedChannel channel = new EmbeddedChannel(new ConnectionHandler("PLAINTEXT",
            new RequestDecoder(dispatcher.supportedApis()), dispatcher, new InflightMemory(1 << 20))) {
        @Override
        protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("127.0.0.1", 40000);
        }
    };

    @Test
    void shouldAppendConsecutiveProducesWithoutWaitingAndAnswerInOrder() {
        for (int id = 1; id <= 3; id++) {
            channel.writeInbound(produce(id));
        }
        assertThat(produces).as("all three dispatched while none completed").hasSize(3);

        produces.get(2).complete(new ProduceResponseData());
        produces.get(1).complete(new ProduceResponseData());
        assertThat(correlationIds()).as("nothing overtakes the first, still waiting").isEmpty();

        produces.get(0).complete(new ProduceResponseData());
        assertThat(correlationIds()).containsExactly(1, 2, 3);
    }

    @Test
    void shouldServeOtherRequestsOneAtATime() {
        channel.writeInbound(produce(1));
        channel.writeInbound(frame(ApiKeys.METADATA, METADATA_VERSION, 2, new MetadataRequestData()));
        channel.writeInbound(produce(3));
        assertThat(metadatas).as("a Metadata waits for the Produce before it").isEmpty();

        produces.get(0).complete(new ProduceResponseData());
        assertThat(metadatas).hasSize(1);
        assertThat(produces).as("a Produce waits for the Metadata before it").hasSize(1);

        metadatas.get(0).complete(new MetadataResponseData());
        assertThat(produces).hasSize(2);
        produces.get(1).complete(new ProduceResponseData());
        assertThat(correlationIds()).containsExactly(1, 2, 3);
    }

    private static CompletableFuture<ApiMessage> pending(List<CompletableFuture<ApiMessage>> into) {
        CompletableFuture<ApiMessage> future = new CompletableFuture<>();
        into.add(future);
        return future;
    }

    /** Correlation ids of the responses written so far, in order (each response starts with size, then the id). */
    private List<Integer> correlationIds() {
        channel.runPendingTasks();
        List<Integer> ids = new ArrayList<>();
        ByteBuf all = Unpooled.buffer();
        Object part;
        while ((part = channel.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) part;
            all.writeBytes(buf);
            buf.release();
        }
        while (all.isReadable()) {
            int size = all.readInt();
            ids.add(all.getInt(all.readerIndex()));
            all.skipBytes(size);
        }
        all.release();
        return ids;
    }

    private static ByteBuf produce(int correlationId) {
        return frame(ApiKeys.PRODUCE, PRODUCE_VERSION, correlationId, new ProduceRequestData().setAcks((short) -1));
    }

    private static ByteBuf frame(ApiKeys key, short version, int correlationId, ApiMessage body) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId("test");
        short headerVersion = key.requestHeaderVersion(version);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer buffer = ByteBuffer.allocate(header.size(cache, headerVersion) + body.size(cache, version));
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        return Unpooled.wrappedBuffer(buffer.array());
    }
}
