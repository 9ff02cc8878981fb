package io.spool.coordinator.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.junit.jupiter.api.Test;

/**
 * Seeded simulations of the transaction coordinator with the invariants of {@link TxnInvariants} checked after
 * every step. A failure names its seed; replay one with {@code -Dsim.seed=<seed>}.
 */
class TxnSimulationTest {

    private static final int SEEDS = 40;
    private static final int STEPS = 600;

    @Test
    void shouldKeepInvariantsWhenScheduleIsRandom() {
        String replay = System.getProperty("sim.seed");
        if (replay != null) {
            run(Long.parseLong(replay));
            return;
        }
        int commits = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            commits += run(seed);
        }
        assertThat(commits).as("commits over all seeds").isGreaterThan(SEEDS);
    }

    private static int run(long seed) {
        TxnSimulation sim = new TxnSimulation(seed);
        List<TxnInvariant> invariants = List.of(new TxnInvariants.EpochNeverDecreases(),
            new TxnInvariants.TransitionsFollowGraph(), new TxnInvariants.MarkersBeforeComplete(),
            new TxnInvariants.MemoryMatchesLog(),
            new TxnInvariants.VerifiedPartitionsAreInTransaction());
        for (int step = 0; step <= STEPS; step++) {
            if (step == STEPS) {
                sim.settle();
            } else {
                sim.step();
            }
            for (TxnInvariant inv : invariants) {
                try {
                    inv.check(sim);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("seed " + seed + " step " + step + ": " + inv.getClass().getSimpleName()
                        + " broke (replay with -Dsim.seed=" + seed + "): " + e.getMessage(), e);
                }
            }
        }
        for (String id : TxnInvariants.history(sim).keySet()) {
            String state = sim.coordinator.describeTransactions(new DescribeTransactionsRequestData()
                .setTransactionalIds(List.of(id))).transactionStates().get(0).transactionState();
            if (state.startsWith("Prepare")) {
                throw new AssertionError("seed " + seed + ": " + id + " still " + state + " after settling"
                    + " (replay with -Dsim.seed=" + seed + ")");
            }
        }
        return sim.commits;
    }
}
