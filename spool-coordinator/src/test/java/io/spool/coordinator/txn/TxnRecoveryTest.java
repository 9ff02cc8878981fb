package io.spool.coordinator.txn;

import static io.spool.coordinator.txn.TxnHarness.tp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spool.coordinator.CoordinatorRecord;
import io.spool.coordinator.CorruptCoordinatorRecordException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Reloads, timeouts, expiry and the admin APIs. */
class TxnRecoveryTest {

    private final TxnHarness h = new TxnHarness();
    private final TopicPartition foo0 = tp("foo", 0);

    @Test
    void shouldRestoreStateWhenPartitionReloaded() {
        h.init("t1");
        h.add("t1", 1000, (short) 0, foo0);
        h.reload("t1", 8);
        assertThat(h.state("t1")).isEqualTo("Ongoing");
        assertThat(h.end("t1", 1000, (short) 0, true)).isEqualTo(Errors.NONE);
        assertThat(h.markers.last().coordinatorEpoch()).isEqualTo(8);
        assertThat(h.state("t1")).isEqualTo("CompleteCommit");
    }

    @Test
    void shouldCompletePrepareCommitWhenLoadedAfterMove() {
        h.init("t1");
        h.add("t1", 1000, (short) 0, foo0);
        h.markers.hold = true;
        h.end("t1", 1000, (short) 0, true);
        h.markers.hold = false;
        h.reload("t1", 9);
        FakeMarkers.Call resent = h.markers.last();
        assertThat(resent.commit()).isTrue();
        assertThat(resent.coordinatorEpoch()).isEqualTo(9);
        assertThat(resent.partitions()).containsExactly(foo0);
        assertThat(h.state("t1")).isEqualTo("CompleteCommit");
        h.markers.release();
        assertThat(h.state("t1")).isEqualTo("CompleteCommit");
    }

    @Test
    void shouldNotLoadWhenRecordCorrupt() {
        int p = h.coordinator.partitionFor("t1");
        CoordinatorRecord corrupt = new CoordinatorRecord(TxnRecordSerde.encodeKey("t1"), new byte[] {0, 0, 1});
        assertThatThrownBy(() -> h.coordinator.loadPartition(p, 8, List.of(corrupt)))
            .isInstanceOf(CorruptCoordinatorRecordException.class);
        assertThat(h.coordinator.isLoaded(p)).isFalse();
        assertThat(Errors.forCode(h.init("t1").errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
    }

    @Test
    void shouldAnswerNotCoordinatorWhenUnloadedDuringWrite() {
        h.init("t1");
        h.add("t1", 1000, (short) 0, foo0);
        h.log.hold = true;
        CompletableFuture<EndTxnResponseData> end = h.endAsync("t1", 1000, (short) 0, true, (short) 4);
        h.coordinator.unloadPartition(h.coordinator.partitionFor("t1"));
        h.log.flush();
        assertThat(Errors.forCode(end.join().errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(h.markers.calls).isEmpty();
    }

    @Test
    void shouldAbortWithBumpedEpochWhenTransactionTimesOut() {
        h.init("t1");
        h.add("t1", 1000, (short) 0, foo0);
        h.timer.advance(29_000);
        h.coordinator.abortTimedOutTransactions();
        assertThat(h.state("t1")).isEqualTo("Ongoing");
        h.timer.advance(2_000);
        h.coordinator.abortTimedOutTransactions();
        assertThat(h.state("t1")).isEqualTo("CompleteAbort");
        FakeMarkers.Call call = h.markers.last();
        assertThat(call.commit()).isFalse();
        assertThat(call.producerEpoch()).isEqualTo((short) 1);
        assertThat(h.end("t1", 1000, (short) 0, true)).isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(h.add("t1", 1000, (short) 0, foo0)).isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void shouldExpireIdWhenIdleLongerThanExpiration() {
        h.init("t1");
        h.timer.advance(h.config.transactionalIdExpirationMs());
        h.coordinator.abortTimedOutTransactions();
        DescribeTransactionsResponseData.TransactionState d = describe("t1");
        assertThat(Errors.forCode(d.errorCode())).isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND);
        List<CoordinatorRecord> records = h.log.records(h.coordinator.partitionFor("t1"));
        assertThat(records.get(records.size() - 1).isTombstone()).isTrue();
        h.reload("t1", 8);
        assertThat(Errors.forCode(describe("t1").errorCode())).isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND);
        assertThat(h.init("t1").producerId()).isEqualTo(1001L);
    }

    @Test
    void shouldDescribeStateWhenTransactionOngoing() {
        h.init("t1");
        long start = h.clock.millis();
        h.add("t1", 1000, (short) 0, foo0, tp("foo", 2), tp("bar", 1));
        DescribeTransactionsResponseData.TransactionState d = describe("t1");
        assertThat(d.transactionState()).isEqualTo("Ongoing");
        assertThat(d.producerId()).isEqualTo(1000L);
        assertThat(d.transactionTimeoutMs()).isEqualTo(30_000);
        assertThat(d.transactionStartTimeMs()).isEqualTo(start);
        assertThat(d.topics().find("foo").partitions()).containsExactly(0, 2);
        assertThat(d.topics().find("bar").partitions()).containsExactly(1);
    }

    @Test
    void shouldListWithFiltersWhenAsked() {
        h.init("a1");
        h.init("a2");
        h.add("a2", 1001, (short) 0, foo0);
        h.timer.advance(5_000);
        ListTransactionsResponseData all = h.coordinator.listTransactions(new ListTransactionsRequestData(),
            (short) 2);
        assertThat(all.transactionStates()).extracting(ListTransactionsResponseData.TransactionState::transactionalId)
            .containsExactly("a1", "a2");
        ListTransactionsResponseData ongoing = h.coordinator.listTransactions(new ListTransactionsRequestData()
            .setStateFilters(List.of("Ongoing", "Bogus")), (short) 2);
        assertThat(ongoing.transactionStates())
            .extracting(ListTransactionsResponseData.TransactionState::transactionalId).containsExactly("a2");
        assertThat(ongoing.unknownStateFilters()).containsExactly("Bogus");
        assertThat(h.coordinator.listTransactions(new ListTransactionsRequestData().setDurationFilter(6_000)
            .setStateFilters(List.of("Ongoing")), (short) 1).transactionStates()).isEmpty();
        assertThat(h.coordinator.listTransactions(new ListTransactionsRequestData().setDurationFilter(4_000)
            .setStateFilters(List.of("Ongoing")), (short) 1).transactionStates()).hasSize(1);
        assertThat(h.coordinator.listTransactions(new ListTransactionsRequestData().setProducerIdFilters(
            List.of(1000L)), (short) 0).transactionStates()).hasSize(1);
        assertThat(h.coordinator.listTransactions(new ListTransactionsRequestData().setTransactionalIdPattern("a1"),
            (short) 2).transactionStates()).hasSize(1);
        assertThat(Errors.forCode(h.coordinator.listTransactions(new ListTransactionsRequestData()
            .setTransactionalIdPattern("("), (short) 2).errorCode())).isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);
    }

    private DescribeTransactionsResponseData.TransactionState describe(String id) {
        return h.coordinator.describeTransactions(new DescribeTransactionsRequestData()
            .setTransactionalIds(List.of(id))).transactionStates().get(0);
    }
}
