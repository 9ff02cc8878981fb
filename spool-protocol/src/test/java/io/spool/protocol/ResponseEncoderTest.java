package io.spool.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResponseEncoderTest {
    private static final int FILE_BYTES = 200 * 1024;
    private static final int SLICE_START = 1000;

    @TempDir
    Path dir;
    private FileChannel file;
    private byte[] content;
    private final ResponseEncoder encoder = new ResponseEncoder(PooledByteBufAllocator.DEFAULT);

    @BeforeEach
    void writeFile() throws IOException {
        content = new byte[FILE_BYTES];
        new Random(7).nextBytes(content);
        file = FileChannel.open(dir.resolve("00000000000000000000.log"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        file.write(ByteBuffer.wrap(content), 0);
    }

    @AfterEach
    void closeFile() throws IOException {
        file.close();
    }

    private static FetchResponseData fetchResponse(BaseRecords records) {
        FetchResponseData response = new FetchResponseData();
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse()
                .setTopic("orders");
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0).setHighWatermark(10)
                .setRecords(records));
        response.responses().add(topic);
        return response;
    }

    /** The same response with the slice's bytes in memory: what a client must receive either way. */
    private byte[] expected(int size) {
        MemoryRecords inMemory = MemoryRecords.readableRecords(ByteBuffer.wrap(content, SLICE_START, size).slice());
        return bytesOf(encoder.encode(ApiKeys.FETCH, (short) 12, 5, fetchResponse(inMemory)));
    }

    private static byte[] bytesOf(List<Object> parts) {
        assertThat(parts).allMatch(p -> p instanceof ByteBuf);
        int total = parts.stream().mapToInt(p -> ((ByteBuf) p).readableBytes()).sum();
        byte[] out = new byte[total];
        int at = 0;
        for (Object p : parts) {
            ByteBuf buf = (ByteBuf) p;
            int n = buf.readableBytes();
            buf.readBytes(out, at, n);
            at += n;
            buf.release();
        }
        return out;
    }

    @Test
    void shouldCopyASmallSliceIntoASingleBuffer() {
        int size = 1_200;

        List<Object> parts = encoder.encode(ApiKeys.FETCH, (short) 12, 5,
                fetchResponse(new FileSliceRecords(file, SLICE_START, size)));

        assertThat(parts).hasSize(1);
        assertThat(bytesOf(parts)).isEqualTo(expected(size));
    }

    @Test
    void shouldSendALargeSliceFromTheFile() {
        int size = ResponseEncoder.INLINE_RECORDS_BYTES + 1;

        List<Object> parts = encoder.encode(ApiKeys.FETCH, (short) 12, 5,
                fetchResponse(new FileSliceRecords(file, SLICE_START, size)));

        try {
            assertThat(parts).hasSize(3);
            assertThat(parts.get(1)).isInstanceOf(SliceFileRegion.class);
            SliceFileRegion region = (SliceFileRegion) parts.get(1);
            assertThat(region.position()).isEqualTo(SLICE_START);
            assertThat(region.count()).isEqualTo(size);
        } finally {
            parts.forEach(ReferenceCountUtil::release);
        }
    }

    @Test
    void shouldCopyNoMoreThanTheInlineBudgetOfAResponseWithManySmallSlices() {
        FetchResponseData response = new FetchResponseData();
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse()
                .setTopic("orders");
        int slice = 10_000;
        for (int p = 0; p < 10; p++) {
            topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(p).setHighWatermark(10)
                    .setRecords(new FileSliceRecords(file, (long) p * slice, slice)));
        }
        response.responses().add(topic);

        List<Object> parts = encoder.encode(ApiKeys.FETCH, (short) 12, 5, response);

        try {
            // Three slices fit the 32 KiB budget; the other seven go out from the file.
            assertThat(parts).filteredOn(p -> p instanceof SliceFileRegion).hasSize(7);
        } finally {
            parts.forEach(ReferenceCountUtil::release);
        }
    }

    @Test
    void shouldFailWhenTheFileShrankBelowASmallSlice() throws IOException {
        file.truncate(SLICE_START + 100);

        assertThatThrownBy(() -> encoder.encode(ApiKeys.FETCH, (short) 12, 5,
                fetchResponse(new FileSliceRecords(file, SLICE_START, 1_200))))
                .hasMessageContaining("shrank");
    }
}
