package io.spool.coordinator;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/** The named invariants of {@link GroupSimulationTest}. */
final class Invariants {

    private Invariants() {
    }

    /** A classic group's generation never goes back, and every member told of a generation saw the group's. */
    static final class GenerationsOnlyGrow implements Invariant {
        private final Map<String, Integer> last = new HashMap<>();

        @Override
        public void check(GroupSimulation sim) {
            sim.coordinator.snapshot().groups().forEach((id, g) -> {
                if (g.type().equals("classic")) {
                    int prev = last.getOrDefault(id, 0);
                    if (g.generation() < prev) {
                        throw new AssertionError("generation of " + id + " went from " + prev + " to "
                            + g.generation());
                    }
                    last.put(id, g.generation());
                }
            });
            for (GroupSimulation.ClassicClient c : sim.classic) {
                if (c.generation > last.getOrDefault("classic", 0)) {
                    throw new AssertionError(c + " is in generation " + c.generation + " ahead of the group");
                }
            }
        }
    }

    /**
     * One generation at a time: every client told of a generation was told the same leader. A static leader that
     * restarts keeps leading the generation under a new member id (KIP-345), so leaders compare by instance id.
     */
    static final class OneLeaderPerGeneration implements Invariant {
        private final Map<Integer, String> leaders = new HashMap<>();

        @Override
        public void check(GroupSimulation sim) {
            for (GroupSimulation.ClassicClient c : sim.classic) {
                if (c.leader != null) {
                    String leader = c.leader.startsWith("static-") ? c.leader.substring(0, c.leader.lastIndexOf('-'))
                        : c.leader;
                    String known = leaders.putIfAbsent(c.generation, leader);
                    if (known != null && !known.equals(leader)) {
                        throw new AssertionError("generation " + c.generation + " has leaders " + known + " and "
                            + c.leader);
                    }
                }
            }
        }
    }

    /**
     * No partition is owned by two members of a consumer group that hold their lease (heard from the coordinator
     * within a session timeout): a member silent for longer may have been fenced, the zombie case every Kafka
     * client must handle.
     */
    static final class PartitionOwnedAtMostOnce implements Invariant {
        @Override
        public void check(GroupSimulation sim) {
            Map<String, String> owner = new HashMap<>();
            for (GroupSimulation.ConsumerClient c : sim.consumers) {
                if (!c.holdsLease()) {
                    continue;
                }
                c.owned.partitions().forEach((t, parts) -> parts.forEach(p -> {
                    String prev = owner.put(t + "-" + p, c.memberId);
                    if (prev != null) {
                        throw new AssertionError("partition " + t + "-" + p + " owned by " + prev + " and "
                            + c.memberId);
                    }
                }));
            }
        }
    }

    /** Every acknowledged commit is still there after a reload, unless a later acknowledged commit replaced it. */
    static final class CommittedOffsetsSurviveReload implements Invariant {
        @Override
        public void check(GroupSimulation sim) {
            if (sim.log.pendingCount() > 0) {
                return;
            }
            var reloaded = sim.harness.reload().snapshot().offsets();
            sim.acknowledged.forEach((key, offset) -> {
                var group = reloaded.getOrDefault(key.getKey(), Map.of());
                CoordinatorRecordSerde.OffsetValue v = group.get((TopicPartition) key.getValue());
                if (v == null || v.offset() != offset) {
                    throw new AssertionError("acknowledged offset " + offset + " of " + key + " reloads as " + v);
                }
            });
        }
    }

    /** A reload gives the same consumer groups, the same stable classic groups, and the same offsets. */
    static final class ReloadGivesSameState implements Invariant {
        @Override
        public void check(GroupSimulation sim) {
            if (sim.log.pendingCount() > 0) {
                return;
            }
            CoordinatorSnapshot now = sim.coordinator.snapshot();
            CoordinatorSnapshot reloaded = sim.harness.reload().snapshot();
            if (!now.offsets().equals(reloaded.offsets())) {
                throw new AssertionError("offsets differ after reload: " + now.offsets() + " vs "
                    + reloaded.offsets());
            }
            now.groups().forEach((id, g) -> {
                boolean comparable = g.type().equals("consumer") || g.state().equals("Stable");
                if (comparable && !g.equals(reloaded.groups().get(id))) {
                    throw new AssertionError("group " + id + " is " + g + " but reloads as "
                        + reloaded.groups().get(id));
                }
            });
        }
    }
}
