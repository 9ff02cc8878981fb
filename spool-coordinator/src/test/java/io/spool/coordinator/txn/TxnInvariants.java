package io.spool.coordinator.txn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.protocol.Errors;

/** The invariants of {@link TxnSimulation}, each over the durable log, the markers delivered or the answers. */
final class TxnInvariants {

    private TxnInvariants() {
    }

    /** A durable record of one id: its append number and its state, null for a tombstone. */
    record Step(int appendNo, TxnMetadata value) {
    }

    /** Each id's durable history, in log order. */
    static Map<String, List<Step>> history(TxnSimulation sim) {
        Map<String, List<Step>> out = new LinkedHashMap<>();
        for (int p = 0; p < TxnSimulation.PARTITIONS; p++) {
            for (TxnTestLog.Entry e : sim.log.entries(p)) {
                TxnRecordSerde.Decoded d = TxnRecordSerde.decode(e.record());
                out.computeIfAbsent(d.transactionalId(), k -> new ArrayList<>()).add(new Step(e.appendNo(), d.value()));
            }
        }
        return out;
    }

    /** Per id, (producer id, epoch) never goes back in the log nor in InitProducerId answers (until expiry). */
    static final class EpochNeverDecreases implements TxnInvariant {
        @Override
        public void check(TxnSimulation sim) {
            if (!sim.violations.isEmpty()) {
                throw new AssertionError(sim.violations.get(0));
            }
            history(sim).forEach((id, steps) -> {
                TxnMetadata prev = null;
                for (Step s : steps) {
                    TxnMetadata m = s.value();
                    if (prev != null && m != null && (m.producerId() < prev.producerId()
                        || (m.producerId() == prev.producerId() && m.producerEpoch() < prev.producerEpoch()))) {
                        throw new AssertionError(id + ": " + prev + " then " + m);
                    }
                    prev = m;
                }
            });
        }
    }

    /** A leader is told NONE for a partition only when it is in the id's durable Ongoing transaction. */
    static final class VerifiedPartitionsAreInTransaction implements TxnInvariant {
        @Override
        public void check(TxnSimulation sim) {
            if (!sim.badVerifications.isEmpty()) {
                throw new AssertionError(sim.badVerifications.get(0));
            }
        }
    }

    /** Every durable change follows Kafka's graph; an id starts (or restarts after expiry) in Empty. */
    static final class TransitionsFollowGraph implements TxnInvariant {
        @Override
        public void check(TxnSimulation sim) {
            history(sim).forEach((id, steps) -> {
                TxnMetadata prev = null;
                for (Step s : steps) {
                    TxnMetadata m = s.value();
                    boolean legal = prev == null ? m == null || m.state() == TxnState.EMPTY
                        : m == null || m.state().canFollow(prev.state());
                    if (!legal) {
                        throw new AssertionError(id + ": " + (prev == null ? "nothing" : prev.state()) + " -> "
                            + m.state());
                    }
                    if (m == null && prev != null && !prev.state().isIdle()) {
                        throw new AssertionError(id + ": expired in " + prev.state());
                    }
                    prev = m;
                }
            });
        }
    }

    /** A Complete* record is appended only after the markers of its Prepare* reached every partition. */
    static final class MarkersBeforeComplete implements TxnInvariant {
        @Override
        public void check(TxnSimulation sim) {
            history(sim).forEach((id, steps) -> {
                for (int i = 1; i < steps.size(); i++) {
                    TxnMetadata m = steps.get(i).value();
                    if (m == null || (m.state() != TxnState.COMPLETE_COMMIT && m.state() != TxnState.COMPLETE_ABORT)) {
                        continue;
                    }
                    TxnMetadata prep = steps.get(i - 1).value();
                    int appendNo = steps.get(i).appendNo();
                    boolean commit = m.state() == TxnState.COMPLETE_COMMIT;
                    boolean ok = prep.partitions().isEmpty() || sim.delivered.stream().anyMatch(d ->
                        d.producerId() == prep.producerId() && d.epoch() == prep.producerEpoch()
                            && d.commit() == commit && d.partitions().containsAll(prep.partitions())
                            && d.appendsBefore() < appendNo);
                    if (!ok) {
                        throw new AssertionError(id + ": " + m.state() + " at append " + appendNo
                            + " without markers for " + prep);
                    }
                }
            });
        }
    }

    /** With no write in flight, what a loaded coordinator describes is the last durable record of each id. */
    static final class MemoryMatchesLog implements TxnInvariant {
        @Override
        public void check(TxnSimulation sim) {
            if (sim.log.pendingCount() > 0) {
                return;
            }
            history(sim).forEach((id, steps) -> {
                if (sim.unloaded.contains(sim.coordinator.partitionFor(id))) {
                    return;
                }
                TxnMetadata last = steps.get(steps.size() - 1).value();
                DescribeTransactionsResponseData.TransactionState d = sim.coordinator.describeTransactions(
                    new DescribeTransactionsRequestData().setTransactionalIds(List.of(id))).transactionStates().get(0);
                if (last == null) {
                    expect(id, Errors.forCode(d.errorCode()) == Errors.TRANSACTIONAL_ID_NOT_FOUND, d, null);
                } else {
                    expect(id, d.transactionState().equals(last.state().kafkaName())
                        && d.producerId() == last.producerId() && d.producerEpoch() == last.producerEpoch(), d, last);
                }
            });
        }

        private static void expect(String id, boolean ok, Object described, TxnMetadata durable) {
            if (!ok) {
                throw new AssertionError(id + ": described " + described + " but the log has " + durable);
            }
        }
    }
}
