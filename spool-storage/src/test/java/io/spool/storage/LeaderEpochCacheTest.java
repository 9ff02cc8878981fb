package io.spool.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LeaderEpochCacheTest {

    private static final long LEO = 30;

    @TempDir
    Path dir;

    /** Epoch 1 from offset 0, epoch 3 from 10, epoch 6 from 20; log end offset 30. */
    private LeaderEpochCache threeEpochs() {
        LeaderEpochCache cache = new LeaderEpochCache(dir);
        cache.assign(1, 0);
        cache.assign(3, 10);
        cache.assign(6, 20);
        return cache;
    }

    @ParameterizedTest(name = "epoch {0} -> ({1}, {2})")
    @CsvSource({
        "-1, -1, -1",
        "0, 0, 0",
        "1, 1, 10",
        "2, 1, 10",
        "3, 3, 20",
        "5, 3, 20",
        "6, 6, 30",
        "9, 6, 30",
    })
    void shouldAnswerOffsetForLeaderEpochWhenEpochsAreKnown(int requested, int epoch, long endOffset) {
        assertThat(threeEpochs().endOffsetFor(requested, LEO))
            .isEqualTo(new LeaderEpochCache.EpochEntry(epoch, endOffset));
    }

    @Test
    void shouldAnswerUndefinedWhenNoEpochIsKnown() {
        assertThat(new LeaderEpochCache(dir).endOffsetFor(4, LEO)).isEqualTo(new LeaderEpochCache.EpochEntry(-1, -1));
    }

    @Test
    void shouldStartEarliestKeptEpochAtLogStartWhenOlderDataIsDeleted() {
        LeaderEpochCache cache = threeEpochs();

        cache.truncateFromStart(15);

        assertThat(cache.entries()).containsExactly(new LeaderEpochCache.EpochEntry(3, 15),
            new LeaderEpochCache.EpochEntry(6, 20));
        assertThat(cache.endOffsetFor(1, LEO)).isEqualTo(new LeaderEpochCache.EpochEntry(1, 15));
    }

    @Test
    void shouldKnowStartOffsetOfEachEpoch() {
        LeaderEpochCache cache = threeEpochs();

        assertThat(cache.startOffsetOf(3)).isEqualTo(10);
        assertThat(cache.startOffsetOf(4)).isEqualTo(-1);
        assertThat(cache.latestEpoch()).isEqualTo(6);
    }

    @Test
    void shouldPersistTruncationFromEndAndClear() {
        LeaderEpochCache cache = threeEpochs();

        cache.truncateFromEnd(20);
        assertThat(new LeaderEpochCache(dir).entries()).containsExactly(new LeaderEpochCache.EpochEntry(1, 0),
            new LeaderEpochCache.EpochEntry(3, 10));
        cache.clear();

        assertThat(new LeaderEpochCache(dir).entries()).isEmpty();
        assertThat(cache.latestEpoch()).isEqualTo(-1);
    }

    @Test
    void shouldIgnoreAnEpochThatIsNotNewerThanTheLatest() {
        LeaderEpochCache cache = threeEpochs();

        cache.assign(5, 25);
        cache.assign(6, 28);

        assertThat(cache.entries()).hasSize(3);
        assertThat(cache.startOffsetOf(6)).isEqualTo(20);
    }
}
