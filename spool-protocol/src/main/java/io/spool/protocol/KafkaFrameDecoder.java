package io.spool.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the inbound byte stream into Kafka request frames: a 4-byte big-endian size, then that many bytes.
 *
 * <pre>
 * +----------------+---------------------------+
 * | size (int32)   | request header + body     |   size = length of what follows
 * +----------------+---------------------------+
 * 00 00 00 0c | 00 12 00 03 00 00 00 07 ...       -> one 12-byte frame (ApiVersions v3, correlation id 7)
 * </pre>
 *
 * The size is checked before a single byte of the body is kept: a negative or zero size is a corrupt frame, a size
 * above {@code maxFrameBytes} (Kafka's {@code socket.request.max.bytes}) is too long. Either is thrown, and the
 * connection handler closes the connection. A complete frame is passed on as a retained slice that the next handler
 * must release. Not thread-safe: one instance per channel.
 */
public final class KafkaFrameDecoder extends ByteToMessageDecoder {
    private final int maxFrameBytes;

    public KafkaFrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= 4) {
            int size = in.getInt(in.readerIndex());
            if (size <= 0) {
                in.skipBytes(in.readableBytes());
                throw new CorruptedFrameException("Invalid frame size " + size);
            }
            if (size > maxFrameBytes) {
                // Nothing after a bad size can be trusted: drop it, so it is not decoded again at close.
                in.skipBytes(in.readableBytes());
                throw new TooLongFrameException("Frame of " + size + " bytes exceeds socket.request.max.bytes="
                        + maxFrameBytes);
            }
            if (in.readableBytes() < 4 + size) {
                return;
            }
            in.skipBytes(4);
            out.add(in.readRetainedSlice(size));
        }
    }
}
