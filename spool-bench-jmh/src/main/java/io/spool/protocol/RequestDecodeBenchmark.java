package io.spool.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.spool.bench.jmh.ProducerBatches;
import io.spool.bench.jmh.SampleMessages;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The inbound half of a request on the event loop: {@link KafkaFrameDecoder} cuts the frame out of the received
 * bytes, {@link RequestDecoder} parses header and body into a {@link KafkaRequest}, which is then released.
 *
 * <ul>
 *   <li>{@code PRODUCE}: v13, acks=all, one topic, one partition, one lz4 batch of 16 records of 1 KiB (the
 *       records stay a slice of the frame, so their size matters little)</li>
 *   <li>{@code FETCH}: v17, a consumer's session-opening fetch of 8 partitions of one topic</li>
 * </ul>
 *
 * <p>The received bytes sit in one pooled direct buffer whose reader index is rewound before each call, so no copy
 * is measured. Lives in {@code io.spool.protocol} to call the frame decoder's {@code decode} without a channel.
 * Thread safety: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RequestDecodeBenchmark {

    private static final int MAX_FRAME_BYTES = 100 * 1024 * 1024;

    @Param({"PRODUCE", "FETCH"})
    public String api;

    private final List<Object> frames = new ArrayList<>(1);
    private KafkaFrameDecoder frameDecoder;
    private RequestDecoder requestDecoder;
    private ByteBuf received;

    @Setup(Level.Trial)
    public void setUp() {
        ApiKeys key = ApiKeys.valueOf(api);
        short version = key == ApiKeys.PRODUCE ? (short) 13 : (short) 17;
        ApiMessage body = key == ApiKeys.PRODUCE
            ? SampleMessages.produceRequest(1, ProducerBatches.batch(ProducerBatches.compression("lz4"), 42L))
            : SampleMessages.fetchRequest(8);
        ByteBuffer frame = RequestFrames.encode(key, version, 7, "spool-jmh-client", body);
        received = PooledByteBufAllocator.DEFAULT.directBuffer(frame.remaining());
        received.writeBytes(frame);
        frameDecoder = new KafkaFrameDecoder(MAX_FRAME_BYTES);
        requestDecoder = new RequestDecoder(SupportedApis.builder().add(ApiKeys.PRODUCE, 3, 13)
            .add(ApiKeys.FETCH, 4, 17).build());
        KafkaRequest request = decode();
        if (request.apiKey() != key || request.apiVersion() != version) {
            throw new IllegalStateException("decoded " + request + " from a " + key + " v" + version + " frame");
        }
    }

    @Benchmark
    public KafkaRequest decode() {
        received.readerIndex(0);
        frameDecoder.decode(null, received, frames);
        KafkaRequest request = requestDecoder.decode((ByteBuf) frames.get(0));
        frames.clear();
        request.release();
        return request;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        received.release();
    }
}
