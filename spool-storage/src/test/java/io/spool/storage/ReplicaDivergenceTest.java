package io.spool.storage;

import static io.spool.storage.TestBatches.batch;
import static io.spool.storage.TestBatches.replicate;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ReplicaDivergenceTest extends LogTestBase {

    private static final LogConfig SMALL_SEGMENTS = LogConfig.defaults().withSegmentBytes(2048).withIndex(200, 4096);

    /**
     * Truncates {@code follower} to where its history stops agreeing with {@code leader}'s, the way a Kafka follower
     * uses OffsetForLeaderEpoch answers: ask for the end of its latest epoch; if the leader answers for an older
     * epoch, cut at the smaller of both ends of that epoch and ask again.
     */
    static void truncateToDivergence(PartitionLog leader, PartitionLog follower) {
        for (int round = 0; round < 100; round++) {
            int epoch = follower.latestEpoch();
            if (epoch < 0) {
                follower.truncateTo(0);
                return;
            }
            Map.Entry<Integer, Long> leaderEnd = leader.endOffsetForEpoch(epoch);
            if (leaderEnd.getKey() == epoch && leaderEnd.getValue() >= follower.logEndOffset()) {
                return;
            }
            Map.Entry<Integer, Long> followerEnd = follower.endOffsetForEpoch(leaderEnd.getKey());
            long target = leaderEnd.getKey() < 0 ? 0 : Math.min(leaderEnd.getValue(), followerEnd.getValue());
            follower.truncateTo(target);
        }
        throw new AssertionError("no agreement after 100 rounds: follower " + follower.leaderEpochs()
            + " at " + follower.logEndOffset() + ", leader " + leader.leaderEpochs());
    }

    @Test
    void shouldTruncateTheEpochOnlyTheFollowerWroteAndThenMatchTheLeader() {
        PartitionLog a = newLog(SMALL_SEGMENTS);
        PartitionLog b = manager.getOrCreate(new TopicPartition("orders", 1), TOPIC_ID, SMALL_SEGMENTS);
        appendBatches(a, 10, 1);
        appendBatches(a, 10, 2);
        replicate(a, b, 1 << 20);
        b.truncateTo(60);
        // b led epoch 3 alone; a was then elected for epoch 4 without b's writes
        appendBatches(b, 10, 3);
        a.maybeAssignEpochStartOffset(4);
        appendBatches(a, 5, 4);

        assertThat(a.endOffsetForEpoch(3)).isEqualTo(Map.entry(2, 80L));
        assertThat(b.endOffsetForEpoch(2)).isEqualTo(Map.entry(2, 60L));
        truncateToDivergence(a, b);

        assertThat(b.logEndOffset()).isEqualTo(60);
        assertThat(b.leaderEpochs()).containsExactly(Map.entry(1, 0L), Map.entry(2, 40L));
        replicate(a, b, 1 << 20);
        assertThat(b.leaderEpochs()).isEqualTo(a.leaderEpochs());
        assertThat(TestBatches.allBytes(b)).isEqualTo(TestBatches.allBytes(a));
    }

    @Test
    void shouldDropAnEpochRecordedAtTakeOverButNeverWrittenInWhenTruncatedAtTheLogEnd() {
        PartitionLog log = newLog(SMALL_SEGMENTS);
        appendBatches(log, 5, 2);
        log.maybeAssignEpochStartOffset(3);
        assertThat(log.latestEpoch()).isEqualTo(3);

        log.truncateTo(log.logEndOffset());

        assertThat(log.latestEpoch()).isEqualTo(2);
        assertThat(log.logEndOffset()).isEqualTo(20);
        assertThat(log.truncationCount()).isZero();
    }

    @Test
    void shouldAnswerOffsetForLeaderEpochFromTheLog() {
        PartitionLog log = newLog(SMALL_SEGMENTS);
        assertThat(log.endOffsetForEpoch(0)).isEqualTo(Map.entry(-1, -1L));
        assertThat(log.latestEpoch()).isEqualTo(-1);
        appendBatches(log, 5, 2);
        appendBatches(log, 5, 4);

        assertThat(log.latestEpoch()).isEqualTo(4);
        assertThat(log.epochStartOffset(4)).isEqualTo(20);
        assertThat(log.epochStartOffset(3)).isEqualTo(-1);
        assertThat(log.endOffsetForEpoch(-1)).isEqualTo(Map.entry(-1, -1L));
        assertThat(log.endOffsetForEpoch(1)).isEqualTo(Map.entry(1, 0L));
        assertThat(log.endOffsetForEpoch(2)).isEqualTo(Map.entry(2, 20L));
        assertThat(log.endOffsetForEpoch(3)).isEqualTo(Map.entry(2, 20L));
        assertThat(log.endOffsetForEpoch(4)).isEqualTo(Map.entry(4, 40L));
        assertThat(log.endOffsetForEpoch(7)).isEqualTo(Map.entry(4, 40L));

        log.maybeAssignEpochStartOffset(7);
        log.maybeAssignEpochStartOffset(6);

        assertThat(log.latestEpoch()).isEqualTo(7);
        assertThat(log.endOffsetForEpoch(5)).isEqualTo(Map.entry(4, 40L));
        assertThat(log.endOffsetForEpoch(7)).isEqualTo(Map.entry(7, 40L));
        assertThat(log.appendAsLeader(batch(NOW, 4), 7).firstOffset()).isEqualTo(40);
        assertThat(log.leaderEpochs()).containsExactly(Map.entry(2, 0L), Map.entry(4, 20L), Map.entry(7, 40L));
    }

    private static void appendBatches(PartitionLog log, int batches, int epoch) {
        for (int i = 0; i < batches; i++) {
            log.appendAsLeader(batch(NOW + i, 4), epoch);
        }
    }
}
