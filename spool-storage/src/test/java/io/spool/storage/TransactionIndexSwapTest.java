package io.spool.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionIndexSwapTest {

    @TempDir
    Path dir;

    private Path file(String suffix) {
        return dir.resolve(LogSegment.fileName(0, suffix));
    }

    @Test
    void shouldTakeTheSwappedAbortedIndexWhenASwapIsCompletedAtStartUp() throws IOException {
        Files.write(file(".log.swap"), new byte[0]);
        Files.write(file(TransactionIndex.SUFFIX + LogSegment.SWAP_SUFFIX), new byte[] {1});
        Files.write(file(TransactionIndex.SUFFIX), new byte[] {2});

        LogLoader.completeSwaps(dir);

        assertThat(Files.readAllBytes(file(TransactionIndex.SUFFIX))).containsExactly(1);
        assertThat(file(".log")).exists();
    }

    @Test
    void shouldKeepThePlainAbortedIndexWhenTheCrashCameAfterItWasRenamedFromSwap() throws IOException {
        Files.write(file(".log.swap"), new byte[0]);
        Files.write(file(TransactionIndex.SUFFIX), new byte[] {1});

        LogLoader.completeSwaps(dir);

        assertThat(Files.readAllBytes(file(TransactionIndex.SUFFIX))).containsExactly(1);
    }
}
