package io.spool.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import org.junit.jupiter.api.Test;

class KafkaFrameDecoderTest {

    @Test
    void shouldEmitFrameWhenItArrivesInPieces() {
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(1024));
        ByteBuf frame = Unpooled.buffer().writeInt(5).writeBytes(new byte[] {1, 2, 3, 4, 5});
        assertThat(channel.writeInbound(frame.readRetainedSlice(3))).isFalse();
        assertThat(channel.writeInbound(frame.readRetainedSlice(6))).isTrue();
        frame.release();
        ByteBuf out = channel.readInbound();
        assertThat(out.readableBytes()).isEqualTo(5);
        assertThat(out.getByte(4)).isEqualTo((byte) 5);
        out.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldEmitEveryFrameWhenSeveralArriveTogether() {
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(1024));
        ByteBuf bytes = Unpooled.buffer().writeInt(1).writeByte(7).writeInt(2).writeShort(9);
        channel.writeInbound(bytes);
        ByteBuf first = channel.readInbound();
        ByteBuf second = channel.readInbound();
        assertThat(first.readableBytes()).isEqualTo(1);
        assertThat(second.readableBytes()).isEqualTo(2);
        first.release();
        second.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldRejectFrameWhenSizeExceedsLimitBeforeReadingBody() {
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(100));
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.buffer().writeInt(Integer.MAX_VALUE)))
                .isInstanceOf(TooLongFrameException.class);
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldRejectFrameWhenSizeIsNegativeOrZero() {
        EmbeddedChannel negative = new EmbeddedChannel(new KafkaFrameDecoder(100));
        assertThatThrownBy(() -> negative.writeInbound(Unpooled.buffer().writeInt(-4)))
                .isInstanceOf(CorruptedFrameException.class);
        negative.finishAndReleaseAll();
        EmbeddedChannel zero = new EmbeddedChannel(new KafkaFrameDecoder(100));
        assertThatThrownBy(() -> zero.writeInbound(Unpooled.buffer().writeInt(0)))
                .isInstanceOf(CorruptedFrameException.class);
        zero.finishAndReleaseAll();
    }
}
