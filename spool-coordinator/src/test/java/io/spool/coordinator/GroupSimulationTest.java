package io.spool.coordinator;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Seeded simulations of both group protocols with the invariants of {@link Invariants} checked after every step.
 * A failure names its seed; replay one with {@code -Dsim.seed=<seed>}.
 */
class GroupSimulationTest {

    private static final int SEEDS = 30;
    private static final int STEPS = 250;

    @Test
    void shouldKeepInvariantsUnderRandomSchedules() {
        String replay = System.getProperty("sim.seed");
        if (replay != null) {
            run(Long.parseLong(replay));
            return;
        }
        for (long seed = 1; seed <= SEEDS; seed++) {
            run(seed);
        }
    }

    private static void run(long seed) {
        GroupSimulation sim = simulate(seed);
        if (sim.classicSyncs == 0 || sim.consumerAssignments == 0 || sim.acknowledged.isEmpty()) {
            throw new AssertionError("seed " + seed + " made no progress: " + sim.classicSyncs + " syncs, "
                + sim.consumerAssignments + " assignments, " + sim.acknowledged.size() + " commits");
        }
    }

    private static GroupSimulation simulate(long seed) {
        GroupSimulation sim = new GroupSimulation(seed);
        List<Invariant> invariants = List.of(new Invariants.GenerationsOnlyGrow(),
            new Invariants.OneLeaderPerGeneration(), new Invariants.PartitionOwnedAtMostOnce(),
            new Invariants.CommittedOffsetsSurviveReload(), new Invariants.ReloadGivesSameState());
        for (int step = 0; step < STEPS; step++) {
            sim.step();
            for (Invariant inv : invariants) {
                try {
                    inv.check(sim);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("seed " + seed + " step " + step + ": " + inv.getClass().getSimpleName()
                        + " broke (replay with -Dsim.seed=" + seed + "): " + e.getMessage(), e);
                }
            }
        }
        return sim;
    }
}
