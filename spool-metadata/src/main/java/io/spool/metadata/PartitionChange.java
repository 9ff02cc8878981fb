package io.spool.metadata;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * One change to a partition's ISR and leadership, with Kafka's eligible leader replica rules (KIP-966), as Kafka's
 * {@code PartitionChangeBuilder} applies them. Build one per change; not thread-safe.
 *
 * <p>In this order:
 * <ol>
 *   <li><b>ELR.</b> With ELR enabled, an ISR of at least the effective {@code min.insync.replicas} clears the ELR.
 *       A smaller ISR makes the ELR the members of the old ISR and old ELR that are not in the new ISR and did not
 *       just restart after an unclean shutdown (in replica order). With ELR disabled the ELR is empty and the ISR is
 *       never emptied: a change that would empty it keeps the old one.</li>
 *   <li><b>Election.</b> The current leader stays if it still may lead. Otherwise the first replica, in replica
 *       order, that may lead and is in the ISR, or, when the ISR is empty, in the ELR. Else, with ELR enabled, an
 *       empty ISR and ELR, the last known leader if it may lead. Else, with unclean election, the first replica that
 *       may lead. Else no leader. A leader taken from the ELR becomes the only ISR member and leaves the ELR; the
 *       last known leader or an unclean leader becomes the only ISR member and the ELR is cleared.</li>
 *   <li><b>Last known ELR</b> (Kafka keeps the last known leader there): when a partition with a leader is left
 *       without one and the field is empty, it becomes that leader; when a leader is elected, it is cleared.</li>
 *   <li><b>Epochs.</b> A new leader bumps the leader epoch; any change bumps the partition epoch.</li>
 * </ol>
 */
final class PartitionChange {
    private final PartitionRecord current;
    private final ElrPolicy policy;
    private final IntPredicate mayLead;
    private List<Integer> targetIsr;
    private boolean unclean;
    private int preferred = PartitionRecord.NO_LEADER;
    private Set<Integer> uncleanShutdown = Set.of();

    /**
     * @param mayLead which brokers may lead once the change is made (registered, unfenced, not leaving)
     */
    PartitionChange(PartitionRecord current, ElrPolicy policy, IntPredicate mayLead) {
        this.current = current;
        this.policy = policy;
        this.mayLead = mayLead;
        this.targetIsr = current.isr();
    }

    PartitionChange targetIsr(List<Integer> isr) {
        this.targetIsr = List.copyOf(isr);
        return this;
    }

    /** Whether an out-of-sync replica may lead when nothing else can ({@code unclean.leader.election.enable}). */
    PartitionChange unclean(boolean enable) {
        this.unclean = enable;
        return this;
    }

    /** Elects this replica if it may lead (a preferred-leader election). */
    PartitionChange preferred(int replica) {
        this.preferred = replica;
        return this;
    }

    /** A broker that registered again after an unclean shutdown: it leaves the ELR (and may not lead). */
    PartitionChange uncleanShutdown(int brokerId) {
        this.uncleanShutdown = Set.of(brokerId);
        return this;
    }

    /** The partition after the change, epochs bumped; {@code current} itself when nothing changes. */
    PartitionRecord build() {
        List<Integer> isr = targetIsr;
        if (!policy.enabled() && isr.isEmpty()) {
            isr = current.isr();
        }
        List<Integer> elr = targetElr(isr);
        int leader = elect(isr, elr);
        if (leader != current.leader() && leader != PartitionRecord.NO_LEADER && !isr.contains(leader)) {
            if (elr.contains(leader)) {
                elr = elr.stream().filter(id -> id != leader).toList();
            } else {
                elr = List.of();
            }
            isr = List.of(leader);
        }
        List<Integer> lastKnownElr = lastKnownElr(leader);
        if (leader == current.leader() && isr.equals(current.isr()) && elr.equals(current.elr())
                && lastKnownElr.equals(current.lastKnownElr())) {
            return current;
        }
        int leaderEpoch = current.leaderEpoch() + (leader == current.leader() ? 0 : 1);
        return new PartitionRecord(current.topicId(), current.partition(), current.replicas(), isr, leader,
                leaderEpoch, current.partitionEpoch() + 1, elr, lastKnownElr);
    }

    private List<Integer> targetElr(List<Integer> isr) {
        if (!policy.enabled() || isr.size() >= policy.effectiveMinIsr(current)) {
            return List.of();
        }
        Set<Integer> candidates = new HashSet<>(current.elr());
        candidates.addAll(current.isr());
        List<Integer> elr = new ArrayList<>();
        for (int replica : current.replicas()) {
            if (candidates.contains(replica) && !isr.contains(replica) && !uncleanShutdown.contains(replica)) {
                elr.add(replica);
            }
        }
        return List.copyOf(elr);
    }

    private boolean isValidLeader(int replica, List<Integer> isr, List<Integer> elr) {
        return replica != PartitionRecord.NO_LEADER && !uncleanShutdown.contains(replica)
                && (isr.contains(replica) || (isr.isEmpty() && elr.contains(replica))) && mayLead.test(replica);
    }

    private int elect(List<Integer> isr, List<Integer> elr) {
        if (preferred != PartitionRecord.NO_LEADER && isValidLeader(preferred, isr, elr)) {
            return preferred;
        }
        return isValidLeader(current.leader(), isr, elr) ? current.leader() : electAny(isr, elr);
    }

    private int electAny(List<Integer> isr, List<Integer> elr) {
        for (int replica : current.replicas()) {
            if (isValidLeader(replica, isr, elr)) {
                return replica;
            }
        }
        List<Integer> lastKnown = current.lastKnownElr();
        if (policy.enabled() && isr.isEmpty() && elr.isEmpty() && lastKnown.size() == 1
                && !uncleanShutdown.contains(lastKnown.get(0)) && mayLead.test(lastKnown.get(0))) {
            return lastKnown.get(0);
        }
        if (unclean) {
            for (int replica : current.replicas()) {
                if (!uncleanShutdown.contains(replica) && mayLead.test(replica)) {
                    return replica;
                }
            }
        }
        return PartitionRecord.NO_LEADER;
    }

    private List<Integer> lastKnownElr(int leader) {
        if (!policy.enabled()) {
            return List.of();
        }
        if (leader == PartitionRecord.NO_LEADER && current.leader() != PartitionRecord.NO_LEADER
                && current.lastKnownElr().isEmpty()) {
            return List.of(current.leader());
        }
        if (leader != PartitionRecord.NO_LEADER && leader != current.leader()) {
            return List.of();
        }
        return current.lastKnownElr();
    }
}
