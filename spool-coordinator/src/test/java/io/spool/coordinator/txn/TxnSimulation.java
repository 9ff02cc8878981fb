package io.spool.coordinator.txn;

import io.spool.coordinator.ManualClock;
import io.spool.coordinator.ManualTimer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.protocol.Errors;

/**
 * One seeded run: a few transactional producers (one request in flight each, as a real producer) against one
 * coordinator, interleaved with slow and failing log appends, held and failing marker writes, time passing, timeout
 * sweeps and partition moves (unload, then load from the durable records with a higher coordinator epoch).
 */
final class TxnSimulation {

    static final int PARTITIONS = 3;
    private static final List<TopicPartition> DATA = List.of(new TopicPartition("foo", 0),
        new TopicPartition("foo", 1), new TopicPartition("bar", 0), new TopicPartition("bar", 1));

    /** A marker write that completed successfully, and how many appends had been made by then. */
    record Delivered(long producerId, short epoch, boolean commit, Set<TopicPartition> partitions, int appendsBefore) {
    }

    private static final class Client {
        final String id;
        long pid = -1;
        short epoch = -1;
        CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);

        Client(String id) {
            this.id = id;
        }
    }

    final Random random;
    final ManualClock clock = new ManualClock(1_000_000L);
    final ManualTimer timer = new ManualTimer(clock);
    final TxnTestLog log = new TxnTestLog();
    final FakeMarkers markers = new FakeMarkers();
    final List<Delivered> delivered = new ArrayList<>();
    final Map<String, long[]> answered = new HashMap<>();
    final List<String> violations = new ArrayList<>();
    final List<String> badVerifications = new ArrayList<>();
    final TransactionCoordinator coordinator;
    final Set<Integer> unloaded = new HashSet<>();
    final List<Client> clients = new ArrayList<>();
    private final AtomicLong nextPid = new AtomicLong(100);
    private int coordinatorEpoch = 1;
    int commits;

    TxnSimulation(long seed) {
        random = new Random(seed);
        TxnMarkerChannel channel = (pid, epoch, coordEpoch, commit, partitions) -> {
            CompletableFuture<Void> out = new CompletableFuture<>();
            markers.writeMarkers(pid, epoch, coordEpoch, commit, partitions).whenComplete((v, t) -> {
                if (t == null) {
                    delivered.add(new Delivered(pid, epoch, commit, Set.copyOf(partitions), log.appends));
                    out.complete(null);
                } else {
                    out.completeExceptionally(t);
                }
            });
            return out;
        };
        coordinator = new TransactionCoordinator(new TransactionCoordinatorConfig(PARTITIONS, 20_000, 1_000L,
            60_000L), log, channel, () -> CompletableFuture.completedFuture(nextPid.getAndIncrement()), timer,
            clock, g -> 0, tp -> true);
        for (int p = 0; p < PARTITIONS; p++) {
            coordinator.loadPartition(p, coordinatorEpoch, List.of());
        }
        for (int i = 0; i < 5; i++) {
            clients.add(new Client("txn-" + i));
        }
    }

    void step() {
        int dice = random.nextInt(100);
        if (dice < 50) {
            clientStep(clients.get(random.nextInt(clients.size())));
        } else if (dice < 60) {
            log.hold = random.nextBoolean();
            log.flush();
        } else if (dice < 63) {
            log.failPending(new NotLeaderOrFollowerException("sim"));
        } else if (dice < 70) {
            markers.hold = random.nextInt(3) == 0;
            markers.failNext = random.nextInt(4) == 0 ? 1 : 0;
            markers.release();
        } else if (dice < 85) {
            timer.advance(random.nextInt(3_000));
        } else if (dice < 92) {
            coordinator.abortTimedOutTransactions();
        } else if (dice < 96) {
            int p = random.nextInt(PARTITIONS);
            coordinator.unloadPartition(p);
            unloaded.add(p);
        } else {
            loadUnloaded();
        }
    }

    /** Loads every unloaded partition; writes in flight first become durable or fail, as on a real leader move. */
    void loadUnloaded() {
        if (random.nextBoolean()) {
            log.flush();
        } else {
            log.failPending(new NotLeaderOrFollowerException("moved"));
        }
        coordinatorEpoch++;
        for (int p : unloaded) {
            coordinator.loadPartition(p, coordinatorEpoch, log.records(p));
        }
        unloaded.clear();
    }

    /** Lets everything in flight finish: no holds, no failures, every partition loaded, time for retries. */
    void settle() {
        log.hold = false;
        markers.hold = false;
        markers.failNext = 0;
        log.flush();
        markers.release();
        loadUnloaded();
        markers.release();
        timer.advance(TxnCompleter.RETRY_BACKOFF_MS * 2);
    }

    private void clientStep(Client c) {
        if (!c.inFlight.isDone()) {
            return;
        }
        if (c.pid < 0 || random.nextInt(10) == 0) {
            init(c);
            return;
        }
        short epoch = random.nextInt(20) == 0 ? (short) (c.epoch - 1) : c.epoch;
        int op = random.nextInt(12);
        if (op >= 10) {
            verify(c.id, c.pid, epoch, Set.of(DATA.get(random.nextInt(DATA.size()))));
        } else if (op < 5) {
            Set<TopicPartition> parts = new HashSet<>();
            parts.add(DATA.get(random.nextInt(DATA.size())));
            parts.add(DATA.get(random.nextInt(DATA.size())));
            c.inFlight = coordinator.addPartitionsToTxn(new AddPartitionsToTxnRequestData()
                .setV3AndBelowTransactionalId(c.id).setV3AndBelowProducerId(c.pid).setV3AndBelowProducerEpoch(epoch)
                .setV3AndBelowTopics(TxnHarness.topics(parts)), (short) 3);
        } else if (op < 6) {
            c.inFlight = coordinator.addOffsetsToTxn(new AddOffsetsToTxnRequestData().setTransactionalId(c.id)
                .setProducerId(c.pid).setProducerEpoch(epoch).setGroupId("g"), (short) 3);
        } else {
            boolean commit = random.nextBoolean();
            c.inFlight = coordinator.endTxn(new EndTxnRequestData().setTransactionalId(c.id).setProducerId(c.pid)
                .setProducerEpoch(epoch).setCommitted(commit), (short) 4).thenAccept(r -> {
                    if (commit && r.errorCode() == Errors.NONE.code()) {
                        commits++;
                    }
                });
        }
    }

    private void init(Client c) {
        boolean expect = random.nextBoolean() && c.pid >= 0;
        c.inFlight = coordinator.initProducerId(new InitProducerIdRequestData().setTransactionalId(c.id)
            .setTransactionTimeoutMs(5_000 + random.nextInt(10_000)).setProducerId(expect ? c.pid : -1)
            .setProducerEpoch(expect ? c.epoch : -1), (short) 4).thenAccept(r -> {
                if (r.errorCode() == Errors.NONE.code()) {
                    c.pid = r.producerId();
                    c.epoch = r.producerEpoch();
                    checkAnswerNotOlder(c.id, r.producerId(), r.producerEpoch());
                }
            });
    }

    /** A partition verified for a leader must be in the id's durable Ongoing transaction of that producer. */
    private void verify(String id, long pid, short epoch, Set<TopicPartition> parts) {
        Map<TopicPartition, Errors> answer = coordinator.verifyPartitions(id, pid, epoch, parts).join();
        List<TxnInvariants.Step> steps = TxnInvariants.history(this).getOrDefault(id, List.of());
        TxnMetadata last = steps.isEmpty() ? null : steps.get(steps.size() - 1).value();
        answer.forEach((tp, error) -> {
            boolean inTxn = last != null && last.state() == TxnState.ONGOING && last.producerId() == pid
                && last.producerEpoch() == epoch && last.partitions().contains(tp);
            if (error == Errors.NONE && !inTxn) {
                badVerifications.add(id + " " + tp + " verified for " + pid + "/" + epoch + " but the log has " + last);
            }
        });
    }

    /** InitProducerId answers per id never go back (a KIP-360 retry may repeat the latest one). */
    private void checkAnswerNotOlder(String id, long pid, short epoch) {
        long[] last = answered.get(id);
        if (last != null && (pid < last[0] || (pid == last[0] && epoch < last[1]))) {
            violations.add(id + " answered " + pid + "/" + epoch + " after " + last[0] + "/" + last[1]);
        }
        answered.put(id, new long[] {pid, epoch});
    }
}
