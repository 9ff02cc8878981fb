package io.spool.coordinator;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * The transactional offsets of one shard that are durable in the log but whose transaction is still open: per
 * producer id, per group, per partition, the last offset the producer wrote in that transaction. They are not
 * committed offsets (OffsetFetch does not return them) until the producer's COMMIT marker; an ABORT marker drops
 * them. Guarded by the coordinator lock.
 */
final class PendingTxnOffsets {

    /** producer id -> group -> partition -> offset; a later write of the same producer replaces the earlier one */
    private final Map<Long, Map<String, Map<TopicPartition, CoordinatorRecordSerde.OffsetValue>>> byProducer =
        new HashMap<>();
    /** group -> producers with pending offsets for it, so that lookups by group need not scan every producer */
    private final Map<String, Set<Long>> producersByGroup = new HashMap<>();

    /** producer id -> its transactional appends not yet durable */
    private final Map<Long, Integer> writesInFlight = new HashMap<>();
    /** producer id -> the end (true: commit) reported while some of its appends were in flight */
    private final Map<Long, Boolean> deferredEnds = new HashMap<>();

    void beginWrite(long producerId) {
        writesInFlight.merge(producerId, 1, Integer::sum);
    }

    /** @return the end reported while this producer's writes were in flight, once its last one landed; else null */
    Boolean endWrite(long producerId) {
        if (writesInFlight.merge(producerId, -1, Integer::sum) > 0) {
            return null;
        }
        writesInFlight.remove(producerId);
        return deferredEnds.remove(producerId);
    }

    /**
     * A marker is after every earlier write of its producer in the log, but its report may overtake their callbacks:
     * then the end waits for them.
     *
     * @return whether the end was deferred
     */
    boolean tryDeferEnd(long producerId, boolean commit) {
        if (!writesInFlight.containsKey(producerId)) {
            return false;
        }
        deferredEnds.put(producerId, commit);
        return true;
    }

    void put(long producerId, String group, TopicPartition tp, CoordinatorRecordSerde.OffsetValue value) {
        byProducer.computeIfAbsent(producerId, p -> new LinkedHashMap<>())
            .computeIfAbsent(group, g -> new LinkedHashMap<>()).put(tp, value);
        producersByGroup.computeIfAbsent(group, g -> new java.util.HashSet<>()).add(producerId);
    }

    /**
     * Ends the producer's open transaction in this shard.
     *
     * @return its pending offsets by group (to be committed or dropped by the caller); empty when it had none
     */
    Map<String, Map<TopicPartition, CoordinatorRecordSerde.OffsetValue>> remove(long producerId) {
        Map<String, Map<TopicPartition, CoordinatorRecordSerde.OffsetValue>> offsets = byProducer.remove(producerId);
        if (offsets == null) {
            return Map.of();
        }
        for (String group : offsets.keySet()) {
            Set<Long> producers = producersByGroup.get(group);
            producers.remove(producerId);
            if (producers.isEmpty()) {
                producersByGroup.remove(group);
            }
        }
        return offsets;
    }

    /** @return whether some open transaction wrote an offset of the group */
    boolean hasPending(String group) {
        return producersByGroup.containsKey(group);
    }

    /** @return whether some open transaction wrote an offset of the group for that partition */
    boolean hasPending(String group, TopicPartition tp) {
        Set<Long> producers = producersByGroup.get(group);
        if (producers == null) {
            return false;
        }
        for (long producerId : producers) {
            if (byProducer.get(producerId).get(group).containsKey(tp)) {
                return true;
            }
        }
        return false;
    }

}
