package io.spool.coordinator.txn;

import io.spool.coordinator.ManualClock;
import io.spool.coordinator.ManualTimer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;

/** A coordinator over in-memory collaborators, with every partition loaded at coordinator epoch 7. */
final class TxnHarness {

    static final int PARTITIONS = 4;
    static final int COORDINATOR_EPOCH = 7;
    static final short INIT_VERSION = 4;
    static final short ADD_VERSION = 3;
    static final short END_VERSION = 4;

    final ManualClock clock = new ManualClock(1_000_000L);
    final ManualTimer timer = new ManualTimer(clock);
    final TxnTestLog log = new TxnTestLog();
    final FakeMarkers markers = new FakeMarkers();
    final AtomicLong nextPid = new AtomicLong(1000);
    final Set<String> missingTopics = new HashSet<>();
    final TransactionCoordinatorConfig config = new TransactionCoordinatorConfig(PARTITIONS, 60_000, 10_000L,
        3_600_000L);
    boolean holdProducerIds;
    CompletableFuture<Long> heldPid;
    final TransactionCoordinator coordinator;

    TxnHarness() {
        coordinator = newCoordinator();
        for (int p = 0; p < PARTITIONS; p++) {
            coordinator.loadPartition(p, COORDINATOR_EPOCH, List.of());
        }
    }

    TransactionCoordinator newCoordinator() {
        return new TransactionCoordinator(config, log, markers, this::producerId, timer, clock,
            g -> Math.abs(g.hashCode() % 50), tp -> !missingTopics.contains(tp.topic()));
    }

    private CompletableFuture<Long> producerId() {
        if (holdProducerIds) {
            heldPid = new CompletableFuture<>();
            return heldPid;
        }
        return CompletableFuture.completedFuture(nextPid.getAndIncrement());
    }

    static TopicPartition tp(String topic, int partition) {
        return new TopicPartition(topic, partition);
    }

    CompletableFuture<InitProducerIdResponseData> initAsync(String id, int timeoutMs, long pid, short epoch,
                                                            short version) {
        return coordinator.initProducerId(new InitProducerIdRequestData().setTransactionalId(id)
            .setTransactionTimeoutMs(timeoutMs).setProducerId(pid).setProducerEpoch(epoch), version);
    }

    InitProducerIdResponseData init(String id) {
        return initAsync(id, 30_000, -1L, (short) -1, INIT_VERSION).join();
    }

    static AddPartitionsToTxnTopicCollection topics(Set<TopicPartition> partitions) {
        AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
        for (TopicPartition tp : partitions) {
            AddPartitionsToTxnTopic t = topics.find(tp.topic());
            if (t == null) {
                t = new AddPartitionsToTxnTopic().setName(tp.topic());
                topics.add(t);
            }
            t.partitions().add(tp.partition());
        }
        return topics;
    }

    CompletableFuture<AddPartitionsToTxnResponseData> addAsync(String id, long pid, short epoch, short version,
                                                               TopicPartition... partitions) {
        return coordinator.addPartitionsToTxn(new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId(id)
            .setV3AndBelowProducerId(pid).setV3AndBelowProducerEpoch(epoch)
            .setV3AndBelowTopics(topics(Set.of(partitions))), version);
    }

    static Map<TopicPartition, Errors> errorsV3(AddPartitionsToTxnResponseData r) {
        Map<TopicPartition, Errors> out = new HashMap<>();
        r.resultsByTopicV3AndBelow().forEach(t -> t.resultsByPartition().forEach(p ->
            out.put(tp(t.name(), p.partitionIndex()), Errors.forCode(p.partitionErrorCode()))));
        return out;
    }

    /** The one error of every partition of a v0-3 answer. */
    Errors add(String id, long pid, short epoch, TopicPartition... partitions) {
        Map<TopicPartition, Errors> errors = errorsV3(addAsync(id, pid, epoch, ADD_VERSION, partitions).join());
        Set<Errors> distinct = new HashSet<>(errors.values());
        if (distinct.size() != 1) {
            throw new AssertionError("mixed errors " + errors);
        }
        return distinct.iterator().next();
    }

    CompletableFuture<EndTxnResponseData> endAsync(String id, long pid, short epoch, boolean commit, short version) {
        return coordinator.endTxn(new EndTxnRequestData().setTransactionalId(id).setProducerId(pid)
            .setProducerEpoch(epoch).setCommitted(commit), version);
    }

    Errors end(String id, long pid, short epoch, boolean commit) {
        return Errors.forCode(endAsync(id, pid, epoch, commit, END_VERSION).join().errorCode());
    }

    Errors addOffsets(String id, long pid, short epoch, String group) {
        return Errors.forCode(coordinator.addOffsetsToTxn(new AddOffsetsToTxnRequestData().setTransactionalId(id)
            .setProducerId(pid).setProducerEpoch(epoch).setGroupId(group), (short) 3).join().errorCode());
    }

    String state(String id) {
        return coordinator.describeTransactions(new DescribeTransactionsRequestData()
            .setTransactionalIds(List.of(id))).transactionStates().get(0).transactionState();
    }

    /** Unloads the partition of {@code id} and loads it again from the durable records. */
    void reload(String id, int coordinatorEpoch) {
        int p = coordinator.partitionFor(id);
        coordinator.unloadPartition(p);
        coordinator.loadPartition(p, coordinatorEpoch, log.records(p));
    }
}
