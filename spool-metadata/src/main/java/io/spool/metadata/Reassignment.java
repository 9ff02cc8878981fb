package io.spool.metadata;

import java.util.List;

/**
 * A partition's reassignment in progress, as ListPartitionReassignments shows it: the full replica list (target
 * replicas first, then the ones being removed), the replicas being added and the ones being removed. Immutable.
 */
public record Reassignment(List<Integer> replicas, List<Integer> adding, List<Integer> removing) {

    public Reassignment {
        replicas = List.copyOf(replicas);
        adding = List.copyOf(adding);
        removing = List.copyOf(removing);
    }

    /** The replicas the partition will have once the reassignment completes, in preference order. */
    public List<Integer> target() {
        return replicas.stream().filter(id -> !removing.contains(id)).toList();
    }

    /** The replicas the partition had before the reassignment: what cancelling it restores. */
    public List<Integer> original() {
        return replicas.stream().filter(id -> !adding.contains(id)).toList();
    }
}
