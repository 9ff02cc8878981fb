package io.spool.storage;

import static io.spool.storage.TestBatches.idempotent;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class IdempotentAppendTest extends LogTestBase {

    private static final long PID = 1000L;
    private static final short EPOCH = 3;

    @Test
    void shouldReturnOriginalOffsetsWithoutAppendingWhenBatchIsDuplicate() {
        PartitionLog log = newLog(LogConfig.defaults());
        log.appendAsLeader(idempotent(PID, EPOCH, 0, NOW, 2), 0);
        log.appendAsLeader(idempotent(PID, EPOCH, 2, NOW, 3), 0);
        long size = log.sizeInBytes();

        AppendResult dup = log.appendAsLeader(idempotent(PID, EPOCH, 0, NOW, 2), 0);

        assertThat(dup.error()).isEqualTo(Errors.NONE);
        assertThat(dup.firstOffset()).isZero();
        assertThat(dup.lastOffset()).isEqualTo(1);
        assertThat(log.logEndOffset()).isEqualTo(5);
        assertThat(log.sizeInBytes()).isEqualTo(size);
    }

    @Test
    void shouldRejectOutOfOrderSequenceWhenSameEpochSkipsAhead() {
        PartitionLog log = newLog(LogConfig.defaults());
        log.appendAsLeader(idempotent(PID, EPOCH, 0, NOW, 2), 0);

        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 5, NOW, 1), 0).error())
            .isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 2, NOW, 1), 0).error()).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldRejectInvalidProducerEpochWhenEpochIsLower() {
        PartitionLog log = newLog(LogConfig.defaults());
        log.appendAsLeader(idempotent(PID, EPOCH, 0, NOW, 1), 0);

        assertThat(log.appendAsLeader(idempotent(PID, (short) (EPOCH - 1), 1, NOW, 1), 0).error())
            .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
    }

    @Test
    void shouldRequireSequenceZeroWhenEpochIsBumped() {
        PartitionLog log = newLog(LogConfig.defaults());
        log.appendAsLeader(idempotent(PID, EPOCH, 0, NOW, 1), 0);

        assertThat(log.appendAsLeader(idempotent(PID, (short) (EPOCH + 1), 1, NOW, 1), 0).error())
            .isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(log.appendAsLeader(idempotent(PID, (short) (EPOCH + 1), 0, NOW, 1), 0).error())
            .isEqualTo(Errors.NONE);
    }

    @Test
    void shouldAcceptAnySequenceWhenProducerIsUnknown() {
        PartitionLog log = newLog(LogConfig.defaults());

        AppendResult r = log.appendAsLeader(idempotent(PID, EPOCH, 417, NOW, 2), 0);

        assertThat(r.error()).isEqualTo(Errors.NONE);
        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 419, NOW, 1), 0).error()).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldWrapSequenceWhenLastSequenceIsIntMax() {
        PartitionLog log = newLog(LogConfig.defaults());
        log.appendAsLeader(idempotent(PID, EPOCH, Integer.MAX_VALUE, NOW, 1), 0);

        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 0, NOW, 1), 0).error()).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldCheckSequencesAcrossBatchesOfOneRequest() {
        PartitionLog log = newLog(LogConfig.defaults());

        AppendResult gap = log.appendAsLeader(TestBatches.concat(idempotent(PID, EPOCH, 0, NOW, 2),
            idempotent(PID, EPOCH, 3, NOW, 1)), 0);
        AppendResult ok = log.appendAsLeader(TestBatches.concat(idempotent(PID, EPOCH, 0, NOW, 2),
            idempotent(PID, EPOCH, 2, NOW, 1)), 0);

        assertThat(gap.error()).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(ok.error()).isEqualTo(Errors.NONE);
        assertThat(ok.lastOffset()).isEqualTo(2);
    }

    @Test
    void shouldAnswerDuplicateSequenceWithoutOffsetsWhenBatchIsOlderThanTheLastFive() {
        PartitionLog log = newLog(LogConfig.defaults());
        for (int seq = 0; seq < 6; seq++) {
            log.appendAsLeader(idempotent(PID, EPOCH, seq, NOW, 1), 0);
        }
        long size = log.sizeInBytes();

        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 1, NOW, 1), 0).firstOffset()).isEqualTo(1);
        AppendResult older = log.appendAsLeader(idempotent(PID, EPOCH, 0, NOW, 1), 0);

        assertThat(older.error()).isEqualTo(Errors.DUPLICATE_SEQUENCE_NUMBER);
        assertThat(older.isOlderDuplicate()).isTrue();
        assertThat(older.firstOffset()).isEqualTo(-1);
        assertThat(older.lastOffset()).as("the log end before the check, minus one").isEqualTo(5);
        assertThat(log.logEndOffset()).isEqualTo(6);
        assertThat(log.sizeInBytes()).isEqualTo(size);
    }

    @Test
    void shouldNotClaimSequencesBeforeTheFirstOneThisLogHolds() {
        PartitionLog log = newLog(LogConfig.defaults());
        log.appendAsLeader(idempotent(PID, EPOCH, 417, NOW, 2), 0);
        for (int seq = 419; seq < 425; seq++) {
            log.appendAsLeader(idempotent(PID, EPOCH, seq, NOW, 1), 0);
        }

        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 417, NOW, 2), 0).error())
            .isEqualTo(Errors.DUPLICATE_SEQUENCE_NUMBER);
        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 100, NOW, 2), 0).error())
            .as("never appended here: the producer was unknown until sequence 417")
            .isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 420, NOW, 10), 0).error())
            .as("reaches past the last sequence")
            .isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
    }

    @Test
    void shouldKnowOnlyTheRetainedBatchesAfterARestart() {
        PartitionLog log = newLog(LogConfig.defaults());
        for (int seq = 0; seq < 8; seq++) {
            log.appendAsLeader(idempotent(PID, EPOCH, seq, NOW, 1), 0);
        }

        PartitionLog reopened = reopenClean(LogConfig.defaults());

        assertThat(reopened.appendAsLeader(idempotent(PID, EPOCH, 0, NOW, 1), 0).error())
            .as("older than the snapshot's batches").isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(reopened.appendAsLeader(idempotent(PID, EPOCH, 8, NOW, 1), 0).error()).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldKeepProducerStateWhenRestartedCleanly() {
        PartitionLog log = newLog(LogConfig.defaults());
        log.appendAsLeader(idempotent(PID, EPOCH, 0, NOW, 2), 0);

        PartitionLog reopened = reopenClean(LogConfig.defaults());

        assertThat(reopened.appendAsLeader(idempotent(PID, EPOCH, 0, NOW, 2), 0).lastOffset()).isEqualTo(1);
        assertThat(reopened.appendAsLeader(idempotent(PID, EPOCH, 5, NOW, 2), 0).error())
            .isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
    }
}
