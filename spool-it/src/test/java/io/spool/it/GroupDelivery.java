package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a group whose member was killed must have delivered, checked on the members' {@link GroupTimeline} against
 * what the producer had acknowledged. Stateless.
 */
final class GroupDelivery {
    private GroupDelivery() {
    }

    /**
     * The survivors start each of the killed member's partitions exactly at the offset committed before the kill:
     * what it had processed and committed they never see; what it had processed after its last commit they
     * process again.
     */
    static void assertResumedAtTheCommittedOffsets(GroupTimeline timeline, String victim, Set<String> survivors,
            Set<Integer> victimPartitions, long killedAt) {
        Map<Integer, Long> committed = timeline.committedBefore(killedAt);
        Map<Integer, GroupTimeline.Processed> resumed = timeline.firstProcessedAfter(killedAt, survivors);
        for (int p : victimPartitions) {
            assertThat(resumed.get(p)).as("first record of partition %d a survivor processed", p).isNotNull();
            assertThat(resumed.get(p).offset()).as("partition %d resumed at the offset committed before the kill", p)
                    .isEqualTo(committed.getOrDefault(p, 0L));
        }
        List<GroupTimeline.Processed> uncommitted = timeline.processedBy(victim).stream()
                .filter(r -> r.offset() >= committed.getOrDefault(r.partition(), 0L)).toList();
        assertThat(uncommitted).as("the killed member died with processed records it had not committed")
                .isNotEmpty();
        for (GroupTimeline.Processed r : uncommitted) {
            assertThat(timeline.processed()).as("%s processed again by a survivor", r).anyMatch(again ->
                    survivors.contains(again.member()) && again.partition() == r.partition()
                            && again.offset() == r.offset());
        }
    }

    /**
     * Every acknowledged record was processed, with its value; none after a commit had covered it; commits never
     * moved back; and a record processed twice was first processed, uncommitted, by the killed member (or a member
     * whose commit failed).
     */
    static void assertNoLossAndNoRedelivery(GroupTimeline timeline, List<PacedProducer.Acked> acked, String victim) {
        Map<String, PacedProducer.Acked> byPosition = acked.stream()
                .collect(Collectors.toMap(a -> a.partition() + "@" + a.offset(), Function.identity()));
        Set<String> processedPositions = new HashSet<>();
        Map<String, List<GroupTimeline.Processed>> byRecord = new HashMap<>();
        for (GroupTimeline.Processed p : timeline.processed()) {
            String position = p.partition() + "@" + p.offset();
            PacedProducer.Acked expected = byPosition.get(position);
            assertThat(expected).as("processed a record that was never acknowledged: %s", p).isNotNull();
            assertThat(p.value()).as("value at %s", position).isEqualTo(expected.value());
            processedPositions.add(position);
            byRecord.computeIfAbsent(position, k -> new ArrayList<>()).add(p);
        }
        assertThat(processedPositions).as("no acknowledged record lost").containsAll(byPosition.keySet());
        assertThat(timeline.redeliveriesAfterCommit()).as("records processed again after a commit covered them")
                .isEmpty();
        assertThat(timeline.commitsMovingBackwards()).as("commits lower than an earlier commit").isEmpty();
        List<List<GroupTimeline.Processed>> duplicates = byRecord.values().stream().filter(l -> l.size() > 1)
                .toList();
        Map<String, Long> failedCommits = timeline.failures().stream().collect(Collectors.groupingBy(
                f -> f.member() + " " + f.message().split(":")[0], TreeMap::new, Collectors.counting()));
        System.out.printf("GroupIT: %d records acknowledged, %d processings, %d records processed more than once,"
                + " failed commits: %s%n", acked.size(), timeline.processed().size(), duplicates.size(),
                failedCommits);
        Set<String> mayRepeat = new HashSet<>(List.of(victim));
        timeline.failures().forEach(f -> mayRepeat.add(f.member()));
        for (List<GroupTimeline.Processed> processings : duplicates) {
            List<GroupTimeline.Processed> earlier = processings.stream()
                    .sorted(Comparator.comparingLong(GroupTimeline.Processed::nanos)).toList()
                    .subList(0, processings.size() - 1);
            assertThat(earlier).as("a record processed again was first processed, uncommitted, by the killed"
                    + " member or by a member whose commit failed: %s", processings)
                    .allSatisfy(p -> assertThat(mayRepeat).contains(p.member()));
        }
    }
}
