package io.spool.bench.jmh;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import io.spool.protocol.ResponseEncoder;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The outbound half of a request: {@link ResponseEncoder#encode} serializes size, header and body into pooled
 * direct buffers, which are released right after, as the channel does once they are written.
 *
 * <ul>
 *   <li>{@code PRODUCE}: v13, the answer to a one-partition produce</li>
 *   <li>{@code METADATA}: v13, 3 brokers and 20 topics of 6 partitions (120 partitions, replication factor 3), what
 *       a client asking for all topics of a small cluster gets</li>
 * </ul>
 *
 * <p>The response bodies are built once; the encoder computes their sizes anew on every call, as it does in the
 * broker. Thread safety: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ResponseEncodeBenchmark {

    private static final short VERSION = 13;

    @Param({"PRODUCE", "METADATA"})
    public String api;

    private ApiKeys key;
    private ApiMessage body;
    private ResponseEncoder encoder;
    private int correlationId;

    @Setup(Level.Trial)
    public void setUp() {
        key = ApiKeys.valueOf(api);
        body = key == ApiKeys.PRODUCE ? SampleMessages.produceResponse(1)
            : SampleMessages.metadataResponse(3, 20, 6);
        encoder = new ResponseEncoder(PooledByteBufAllocator.DEFAULT);
    }

    @Benchmark
    public int encode() {
        List<Object> out = encoder.encode(key, VERSION, correlationId++, body);
        int chunks = out.size();
        for (Object chunk : out) {
            ReferenceCountUtil.release(chunk);
        }
        return chunks;
    }
}
