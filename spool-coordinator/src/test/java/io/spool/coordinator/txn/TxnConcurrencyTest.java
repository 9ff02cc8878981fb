package io.spool.coordinator.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.spool.coordinator.CoordinatorRecord;
import io.spool.coordinator.CoordinatorRecordLog;
import io.spool.coordinator.ManualClock;
import io.spool.coordinator.ManualTimer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Producer id allocation in flight, and real threads with appends and markers completing on other threads. */
class TxnConcurrencyTest {

    @Test
    void shouldAnswerConcurrentTransactionsWhileProducerIdIsAllocated() {
        TxnHarness h = new TxnHarness();
        h.holdProducerIds = true;
        CompletableFuture<InitProducerIdResponseData> first = h.initAsync("t1", 30_000, -1, (short) -1, (short) 4);
        assertThat(first).isNotDone();
        assertThat(Errors.forCode(h.init("t1").errorCode())).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        h.heldPid.complete(77L);
        assertThat(first.join().producerId()).isEqualTo(77L);
    }

    @Test
    void shouldAnswerSourceErrorWhenProducerIdAllocationFails() {
        TxnHarness h = new TxnHarness();
        h.holdProducerIds = true;
        CompletableFuture<InitProducerIdResponseData> first = h.initAsync("t1", 30_000, -1, (short) -1, (short) 4);
        h.heldPid.completeExceptionally(new CoordinatorNotAvailableException("no block"));
        assertThat(Errors.forCode(first.join().errorCode())).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        h.holdProducerIds = false;
        assertThat(Errors.forCode(h.init("t1").errorCode())).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldCommitEveryTransactionWhenClientsAndCallbacksRunOnManyThreads() throws Exception {
        ExecutorService io = Executors.newFixedThreadPool(3);
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try {
            Map<Integer, List<CoordinatorRecord>> durable = new ConcurrentHashMap<>();
            CoordinatorRecordLog log = (p, records) -> CompletableFuture.runAsync(() ->
                durable.computeIfAbsent(p, k -> Collections.synchronizedList(new ArrayList<>()))
                    .addAll(records), io);
            List<Set<TopicPartition>> markerCalls = Collections.synchronizedList(new ArrayList<>());
            TxnMarkerChannel markers = (pid, epoch, ce, commit, parts) -> CompletableFuture.runAsync(() ->
                markerCalls.add(parts), io);
            AtomicLong pids = new AtomicLong();
            ManualClock clock = new ManualClock(0);
            TransactionCoordinator c = new TransactionCoordinator(TransactionCoordinatorConfig.defaults(), log,
                markers, () -> CompletableFuture.supplyAsync(pids::incrementAndGet, io), new ManualTimer(clock), clock, g -> 0,
                tp -> true);
            for (int p = 0; p < 50; p++) {
                c.loadPartition(p, 1, List.of());
            }
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String id = "txn-" + i;
                results.add(clients.submit(() -> runClient(c, id)));
            }
            for (Future<Integer> r : results) {
                assertThat(r.get(30, TimeUnit.SECONDS)).isEqualTo(20);
            }
        } finally {
            io.shutdownNow();
            clients.shutdownNow();
        }
    }

    /** Runs 20 transactions, retrying CONCURRENT_TRANSACTIONS as a producer does; returns how many committed. */
    private static int runClient(TransactionCoordinator c, String id) {
        InitProducerIdResponseData init = c.initProducerId(new InitProducerIdRequestData().setTransactionalId(id)
            .setTransactionTimeoutMs(60_000), (short) 4).join();
        assertThat(Errors.forCode(init.errorCode())).isEqualTo(Errors.NONE);
        int committed = 0;
        for (int t = 0; t < 20; t++) {
            Set<TopicPartition> parts = Set.of(new TopicPartition("foo", t % 3));
            Errors add;
            do {
                add = TxnHarness.errorsV3(c.addPartitionsToTxn(new AddPartitionsToTxnRequestData()
                    .setV3AndBelowTransactionalId(id).setV3AndBelowProducerId(init.producerId())
                    .setV3AndBelowProducerEpoch(init.producerEpoch()).setV3AndBelowTopics(TxnHarness.topics(parts)),
                    (short) 3).join()).values().iterator().next();
            } while (add == Errors.CONCURRENT_TRANSACTIONS);
            assertThat(add).isEqualTo(Errors.NONE);
            Errors end = Errors.forCode(c.endTxn(new EndTxnRequestData().setTransactionalId(id)
                .setProducerId(init.producerId()).setProducerEpoch(init.producerEpoch()).setCommitted(true),
                (short) 4).join().errorCode());
            if (end == Errors.NONE) {
                committed++;
            }
        }
        return committed;
    }
}
