package io.spool.coordinator.txn;

import static io.spool.coordinator.txn.TxnHarness.tp;
import static org.assertj.core.api.Assertions.assertThat;

import io.spool.coordinator.CoordinatorRecord;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class TransactionCoordinatorTest {

    private final TxnHarness h = new TxnHarness();
    private final TopicPartition foo0 = tp("foo", 0);
    private final TopicPartition foo1 = tp("foo", 1);

    @Test
    void shouldGiveNewProducerIdAtEpochZeroWhenIdIsNew() {
        InitProducerIdResponseData r = h.init("t1");
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.producerId()).isEqualTo(1000L);
        assertThat(r.producerEpoch()).isEqualTo((short) 0);
        assertThat(h.state("t1")).isEqualTo("Empty");
    }

    @Test
    void shouldBumpEpochWhenInitAgainOnCompletedTransaction() {
        h.init("t1");
        InitProducerIdResponseData r = h.init("t1");
        assertThat(r.producerId()).isEqualTo(1000L);
        assertThat(r.producerEpoch()).isEqualTo((short) 1);
    }

    @Test
    void shouldRejectTimeoutWhenOutOfRange() {
        assertThat(err(h.initAsync("t1", 0, -1, (short) -1, (short) 4))).isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        assertThat(err(h.initAsync("t1", 60_001, -1, (short) -1, (short) 4)))
            .isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
    }

    @Test
    void shouldAnswerInvalidRequestWhenTransactionalIdEmpty() {
        assertThat(Errors.forCode(h.init("").errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(h.add("", 1000, (short) 0, foo0)).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(h.end("", 1000, (short) 0, true)).isEqualTo(Errors.INVALID_REQUEST);
    }

    @Test
    void shouldAnswerNotCoordinatorWhenPartitionUnloaded() {
        h.coordinator.unloadPartition(h.coordinator.partitionFor("t1"));
        assertThat(Errors.forCode(h.init("t1").errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(h.add("t1", 1000, (short) 0, foo0)).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(h.end("t1", 1000, (short) 0, true)).isEqualTo(Errors.NOT_COORDINATOR);
    }

    @Test
    void shouldAnswerLoadInProgressWhilePartitionLoads() {
        int p = h.coordinator.partitionFor("t1");
        Iterable<CoordinatorRecord> slow = () -> {
            assertThat(Errors.forCode(h.init("t1").errorCode())).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
            return Collections.emptyIterator();
        };
        h.coordinator.loadPartition(p, 8, slow);
        assertThat(h.coordinator.isLoaded(p)).isTrue();
    }

    @Test
    void shouldAbortOngoingWithBumpedEpochWhenInitDuringTransaction() {
        InitProducerIdResponseData r = h.init("t1");
        assertThat(h.add("t1", r.producerId(), (short) 0, foo0)).isEqualTo(Errors.NONE);
        assertThat(Errors.forCode(h.init("t1").errorCode())).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        FakeMarkers.Call call = h.markers.last();
        assertThat(call.commit()).isFalse();
        assertThat(call.producerEpoch()).isEqualTo((short) 1);
        assertThat(call.coordinatorEpoch()).isEqualTo(TxnHarness.COORDINATOR_EPOCH);
        assertThat(call.partitions()).containsExactly(foo0);
        assertThat(h.state("t1")).isEqualTo("CompleteAbort");
        InitProducerIdResponseData retry = h.init("t1");
        assertThat(retry.producerEpoch()).isEqualTo((short) 2);
        assertThat(h.add("t1", r.producerId(), (short) 0, foo0)).isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void shouldStartNewProducerIdWhenEpochExhausted() {
        h.init("t1");
        for (int i = 0; i < 5; i++) {
            h.init("t1");
        }
        // jump close to exhaustion by replaying a record with a high epoch
        int p = h.coordinator.partitionFor("t1");
        TxnMetadata high = new TxnMetadata("t1", 1000, 1000, (short) (Short.MAX_VALUE - 1), (short) 5, 30_000,
            TxnState.EMPTY, Set.of(), -1, h.clock.millis());
        h.coordinator.loadPartition(p, 8, List.of(TxnRecordSerde.record("t1", high)));
        InitProducerIdResponseData r = h.init("t1");
        assertThat(r.producerId()).isEqualTo(1001L);
        assertThat(r.producerEpoch()).isEqualTo((short) 0);
    }

    @Test
    void shouldFenceWhenExpectedProducerIsStaleAndAnswerAgainWhenRetry() {
        InitProducerIdResponseData first = h.init("t1");
        InitProducerIdResponseData second = h.initAsync("t1", 30_000, first.producerId(), first.producerEpoch(),
            (short) 4).join();
        assertThat(second.producerEpoch()).isEqualTo((short) 1);
        InitProducerIdResponseData retried = h.initAsync("t1", 30_000, first.producerId(), first.producerEpoch(),
            (short) 4).join();
        assertThat(Errors.forCode(retried.errorCode())).isEqualTo(Errors.NONE);
        assertThat(retried.producerEpoch()).isEqualTo((short) 1);
        assertThat(err(h.initAsync("t1", 30_000, first.producerId(), (short) 9, (short) 4)))
            .isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(err(h.initAsync("t1", 30_000, first.producerId(), (short) 9, (short) 3)))
            .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
    }

    @Test
    void shouldAnswerConcurrentTransactionsWhenWriteInFlight() {
        h.init("t1");
        h.log.hold = true;
        CompletableFuture<AddPartitionsToTxnResponseData> pending = h.addAsync("t1", 1000, (short) 0, (short) 3, foo0);
        assertThat(h.add("t1", 1000, (short) 0, foo1)).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(Errors.forCode(h.init("t1").errorCode())).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(pending).isNotDone();
        h.log.flush();
        assertThat(TxnHarness.errorsV3(pending.join())).containsEntry(foo0, Errors.NONE);
        assertThat(h.state("t1")).isEqualTo("Ongoing");
    }

    @Test
    void shouldLeaveStateUnchangedWhenAppendFails() {
        h.init("t1");
        h.log.failNext = new NotLeaderOrFollowerException("moved");
        assertThat(h.add("t1", 1000, (short) 0, foo0)).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(h.state("t1")).isEqualTo("Empty");
        assertThat(h.add("t1", 1000, (short) 0, foo0)).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldRejectAddWhenProducerUnknownOrFenced() {
        assertThat(h.add("t1", 1000, (short) 0, foo0)).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        h.init("t1");
        assertThat(h.add("t1", 999, (short) 0, foo0)).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        h.init("t1");
        assertThat(h.add("t1", 1000, (short) 0, foo0)).isEqualTo(Errors.PRODUCER_FENCED);
        Map<TopicPartition, Errors> v1 = TxnHarness.errorsV3(h.addAsync("t1", 1000, (short) 0, (short) 1, foo0).join());
        assertThat(v1).containsEntry(foo0, Errors.INVALID_PRODUCER_EPOCH);
    }

    @Test
    void shouldAnswerUnknownAndNotAttemptedWhenTopicMissing() {
        h.init("t1");
        h.missingTopics.add("gone");
        Map<TopicPartition, Errors> r = TxnHarness.errorsV3(h.addAsync("t1", 1000, (short) 0, (short) 3, foo0,
            tp("gone", 0)).join());
        assertThat(r).containsEntry(tp("gone", 0), Errors.UNKNOWN_TOPIC_OR_PARTITION)
            .containsEntry(foo0, Errors.OPERATION_NOT_ATTEMPTED);
        assertThat(h.state("t1")).isEqualTo("Empty");
    }

    @Test
    void shouldNotWriteWhenPartitionsAlreadyInTransaction() {
        h.init("t1");
        h.add("t1", 1000, (short) 0, foo0, foo1);
        int before = h.log.appends;
        assertThat(h.add("t1", 1000, (short) 0, foo1)).isEqualTo(Errors.NONE);
        assertThat(h.log.appends).isEqualTo(before);
    }

    @Test
    void shouldCommitWithMarkersThenCompleteWhenEndTxnCommits() {
        h.init("t1");
        h.add("t1", 1000, (short) 0, foo0);
        assertThat(h.addOffsets("t1", 1000, (short) 0, "g")).isEqualTo(Errors.NONE);
        h.markers.hold = true;
        assertThat(h.end("t1", 1000, (short) 0, true)).isEqualTo(Errors.NONE);
        assertThat(h.state("t1")).isEqualTo("PrepareCommit");
        assertThat(h.end("t1", 1000, (short) 0, true)).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(h.end("t1", 1000, (short) 0, false)).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(h.add("t1", 1000, (short) 0, foo1)).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        FakeMarkers.Call call = h.markers.last();
        assertThat(call.commit()).isTrue();
        assertThat(call.partitions()).contains(foo0, tp("__consumer_offsets", Math.abs("g".hashCode() % 50)));
        h.markers.release();
        assertThat(h.state("t1")).isEqualTo("CompleteCommit");
        assertThat(h.end("t1", 1000, (short) 0, true)).isEqualTo(Errors.NONE);
        assertThat(h.end("t1", 1000, (short) 0, false)).isEqualTo(Errors.INVALID_TXN_STATE);
    }

    @Test
    void shouldAbortWhenEndTxnAborts() {
        h.init("t1");
        h.add("t1", 1000, (short) 0, foo0);
        assertThat(h.end("t1", 1000, (short) 0, false)).isEqualTo(Errors.NONE);
        assertThat(h.markers.last().commit()).isFalse();
        assertThat(h.state("t1")).isEqualTo("CompleteAbort");
        assertThat(h.add("t1", 1000, (short) 0, foo1)).isEqualTo(Errors.NONE);
        assertThat(h.state("t1")).isEqualTo("Ongoing");
    }

    @Test
    void shouldRejectEndTxnWhenEmptyOrFenced() {
        h.init("t1");
        assertThat(h.end("t1", 1000, (short) 0, true)).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(h.end("t1", 1000, (short) 3, true)).isEqualTo(Errors.PRODUCER_FENCED);
        EndTxnResponseData v1 = h.endAsync("t1", 1000, (short) 3, true, (short) 1).join();
        assertThat(Errors.forCode(v1.errorCode())).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(h.end("t2", 1000, (short) 0, true)).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
    }

    @Test
    void shouldRetryMarkersWithTimerWhenChannelFails() {
        h.init("t1");
        h.add("t1", 1000, (short) 0, foo0);
        h.markers.failNext = 2;
        assertThat(h.end("t1", 1000, (short) 0, true)).isEqualTo(Errors.NONE);
        assertThat(h.state("t1")).isEqualTo("PrepareCommit");
        h.timer.advance(TxnCompleter.RETRY_BACKOFF_MS);
        assertThat(h.state("t1")).isEqualTo("PrepareCommit");
        h.timer.advance(TxnCompleter.RETRY_BACKOFF_MS);
        assertThat(h.state("t1")).isEqualTo("CompleteCommit");
        assertThat(h.markers.calls).hasSize(3);
    }

    @Test
    void shouldVerifyOnlyPartitionsOfOngoingTransactionWhenBatchedVerifyOnly() {
        h.init("t1");
        h.add("t1", 1000, (short) 0, foo0);
        AddPartitionsToTxnRequestData req = new AddPartitionsToTxnRequestData();
        req.transactions().add(new AddPartitionsToTxnTransaction().setTransactionalId("t1").setProducerId(1000)
            .setProducerEpoch((short) 0).setVerifyOnly(true).setTopics(TxnHarness.topics(Set.of(foo0, foo1))));
        req.transactions().add(new AddPartitionsToTxnTransaction().setTransactionalId("t2").setProducerId(1000)
            .setProducerEpoch((short) 0).setVerifyOnly(false).setTopics(TxnHarness.topics(Set.of(foo0))));
        int before = h.log.appends;
        AddPartitionsToTxnResponseData r = h.coordinator.addPartitionsToTxn(req, (short) 4).join();
        var t1 = r.resultsByTransaction().find("t1").topicResults().find("foo").resultsByPartition();
        assertThat(Errors.forCode(t1.find(0).partitionErrorCode())).isEqualTo(Errors.NONE);
        assertThat(Errors.forCode(t1.find(1).partitionErrorCode())).isEqualTo(Errors.INVALID_TXN_STATE);
        var t2 = r.resultsByTransaction().find("t2").topicResults().find("foo").resultsByPartition();
        assertThat(Errors.forCode(t2.find(0).partitionErrorCode())).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(h.log.appends).isEqualTo(before);
        assertThat(h.coordinator.verifyPartitions("t1", 1000, (short) 1, Set.of(foo0)).join())
            .containsEntry(foo0, Errors.PRODUCER_FENCED);
    }

    @Test
    void shouldAddEachTransactionWhenBatchedWithoutVerifyOnly() {
        h.init("t1");
        h.init("t2");
        AddPartitionsToTxnRequestData req = new AddPartitionsToTxnRequestData();
        req.transactions().add(new AddPartitionsToTxnTransaction().setTransactionalId("t1").setProducerId(1000)
            .setProducerEpoch((short) 0).setTopics(TxnHarness.topics(Set.of(foo0))));
        req.transactions().add(new AddPartitionsToTxnTransaction().setTransactionalId("t2").setProducerId(1001)
            .setProducerEpoch((short) 1).setTopics(TxnHarness.topics(Set.of(foo1))));
        AddPartitionsToTxnResponseData r = h.coordinator.addPartitionsToTxn(req, (short) 5).join();
        assertThat(Errors.forCode(r.resultsByTransaction().find("t1").topicResults().find("foo").resultsByPartition()
            .find(0).partitionErrorCode())).isEqualTo(Errors.NONE);
        assertThat(Errors.forCode(r.resultsByTransaction().find("t2").topicResults().find("foo").resultsByPartition()
            .find(1).partitionErrorCode())).isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(h.state("t1")).isEqualTo("Ongoing");
        assertThat(h.state("t2")).isEqualTo("Empty");
    }

    @Test
    void shouldAnswerConcurrentWhenAbortRetriedDuringPrepareAbort() {
        h.init("t1");
        h.add("t1", 1000, (short) 0, foo0);
        h.markers.hold = true;
        assertThat(h.end("t1", 1000, (short) 0, false)).isEqualTo(Errors.NONE);
        assertThat(h.end("t1", 1000, (short) 0, false)).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(h.end("t1", 1000, (short) 0, true)).isEqualTo(Errors.INVALID_TXN_STATE);
        h.markers.release();
        assertThat(h.end("t1", 1000, (short) 0, false)).isEqualTo(Errors.NONE);
    }

    private static Errors err(CompletableFuture<InitProducerIdResponseData> f) {
        return Errors.forCode(f.join().errorCode());
    }
}
