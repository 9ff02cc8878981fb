package io.spool.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerSnapshotFileTest {

    @TempDir
    Path dir;

    @Test
    void shouldRoundTripTransactionStateWhenWrittenAsVersion2() throws IOException {
        ProducerStateManager state = new ProducerStateManager();
        state.update(7L, (short) 2, 0, 4, 10L, 14L, 1000L, true);
        state.completeTxn(8L, (short) 1, 6, true, 20L, 1001L);

        ProducerSnapshotFile.write(dir, 21L, state);
        ProducerStateManager read = new ProducerStateManager();

        assertThat(ProducerSnapshotFile.read(ProducerSnapshotFile.path(dir, 21L), read)).isTrue();
        assertThat(read.activeProducers()).containsExactlyInAnyOrder(new ProducerInfo(7L, (short) 2, 4, 1000L, -1, 10L),
            new ProducerInfo(8L, (short) 1, -1, 1001L, 6, -1L));
        assertThat(read.hasOngoingTransaction(7L)).isTrue();
        assertThat(read.firstUnstableOffset()).isEqualTo(10L);
    }

    @Test
    void shouldReadProducerWithoutTransactionWhenSnapshotIsVersion1() throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(10 + 22 + 32);
        buf.putShort((short) 1).putInt(0).putInt(1);
        buf.putLong(7L).putShort((short) 2).putLong(1000L).putInt(1);
        buf.putInt(0).putInt(4).putLong(10L).putLong(14L).putLong(1000L);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 6, buf.capacity() - 6);
        buf.putInt(2, (int) crc.getValue());
        Path file = ProducerSnapshotFile.path(dir, 15L);
        Files.write(file, buf.array());
        ProducerStateManager read = new ProducerStateManager();

        assertThat(ProducerSnapshotFile.read(file, read)).isTrue();

        assertThat(read.activeProducers()).containsExactly(new ProducerInfo(7L, (short) 2, 4, 1000L, -1, -1L));
        assertThat(read.firstUnstableOffset()).isEqualTo(Long.MAX_VALUE);
    }
}
