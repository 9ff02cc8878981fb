package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Consumer groups of real kafka-clients against a real node: members in their own processes, one killed with
 * SIGKILL while a producer writes; committed offsets across a node restart; the group admin calls.
 */
class GroupIT {
    /** Session timeout of classic members and of KIP-848 members (a broker setting there). */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(5);
    /** Broker settings that keep rebalances fast: no initial delay, short sessions allowed. */
    static final Map<String, String> FAST_GROUPS = Map.of(
            "group.initial.rebalance.delay.ms", "0",
            "group.min.session.timeout.ms", "1000",
            "group.consumer.session.timeout.ms", String.valueOf(SESSION_TIMEOUT.toMillis()),
            "group.consumer.heartbeat.interval.ms", "500");
    private static final int PARTITIONS = 12;
    private static final Duration VICTIM_PAUSE = Duration.ofMillis(300);

    @TempDir
    static Path dir;
    static SpoolProcess spool;

    /** The consumer settings of a member of each kind of group. */
    enum Protocol {
        CLASSIC(Map.of("group.protocol", "classic",
                "session.timeout.ms", String.valueOf(SESSION_TIMEOUT.toMillis()), "heartbeat.interval.ms", "500")),
        CONSUMER(Map.of("group.protocol", "consumer"));

        final Map<String, String> settings;

        Protocol(Map<String, String> settings) {
            this.settings = settings;
        }

        String lower() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @BeforeAll
    static void startSpool() {
        spool = SpoolProcess.start(dir.resolve("node"), FAST_GROUPS);
    }

    @AfterAll
    static void stopSpool() {
        if (spool != null) {
            spool.keepLog("GroupIT");
            spool.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldMoveAKilledMembersPartitionsToTheSurvivorsAndNeverRedeliverACommittedRecord(Protocol protocol)
            throws Exception {
        String topic = "members-" + protocol.lower();
        String group = "members-" + protocol.lower();
        createTopic(spool, topic, PARTITIONS);
        Path out = dir.resolve(topic);
        List<MemberProcess> members = new ArrayList<>();
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            // The member to be killed pauses between processing and committing, so that it dies with processed
            // records uncommitted: those are the ones at-least-once delivery gives the survivors again.
            Map<String, String> victimSettings = new HashMap<>(protocol.settings);
            victimSettings.put(GroupMember.PAUSE, String.valueOf(VICTIM_PAUSE.toMillis()));
            members.add(MemberProcess.start(out, "member-1", spool.bootstrap(), group, topic, victimSettings));
            for (int i = 2; i <= 3; i++) {
                members.add(MemberProcess.start(out, "member-" + i, spool.bootstrap(), group, topic,
                        protocol.settings));
            }
            MemberProcess victim = members.get(0);
            List<MemberProcess> survivors = members.subList(1, 3);
            ConsumerGroupDescription three = awaitAssignedTo(admin, group, members, Duration.ofSeconds(60));
            Set<Integer> victimPartitions = partitionsOf(three, GroupTimeline.read(members).memberId(victim.name()));

            try (PacedProducer producer = new PacedProducer(spool.bootstrap(), topic, 5)) {
                awaitProcessing(members, 200, "every member processes records before the kill");
                long killedAt = killWhilePausedBeforeCommit(victim);
                awaitAssignedTo(admin, group, survivors, SESSION_TIMEOUT.plusSeconds(25));
                System.out.printf("GroupIT %s: partitions %s of the killed member moved to the survivors %d ms after"
                        + " the kill (session timeout %d ms)%n", protocol, victimPartitions,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt), SESSION_TIMEOUT.toMillis());
                Map<Integer, Long> victimLast = lastOffsets(GroupTimeline.read(members).processedBy(victim.name()));
                await("the survivors consume every partition, beyond what the killed member reached")
                        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> survivorsPassed(members, survivors, killedAt, victimLast));
                producer.stop();
                assertThat(producer.failures()).as("produce failures").isEmpty();

                List<PacedProducer.Acked> acked = producer.acked();
                Map<TopicPartition, Long> ends = endOffsets(admin, topic);
                assertThat(ends).as("log end offsets are what the producer had acknowledged")
                        .isEqualTo(expectedEnds(topic, acked));
                await("the survivors process and commit every acknowledged record").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> committedOffsets(admin, group).equals(offsetsOf(ends)));
                GroupTimeline timeline = GroupTimeline.read(members);
                assertDelivery(timeline, acked, victim.name());
                assertResumedAtTheCommittedOffsets(timeline, victim.name(), survivors, victimPartitions, killedAt);
            }
        } finally {
            members.forEach(MemberProcess::close);
        }
    }

    /**
     * Waits until the member's last event says it has just processed a poll and is pausing before its commit, and
     * kills it then: well inside the pause, so that commit is never sent. The time just before the kill.
     */
    private static long killWhilePausedBeforeCommit(MemberProcess member) {
        long[] killedAt = new long[1];
        await("member paused before a commit").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                .until(() -> {
                    String[] last = MemberProcess.lastLine(member.events()).split(" ");
                    long now = System.nanoTime();
                    if (!last[0].equals("P") || now - Long.parseLong(last[1]) > VICTIM_PAUSE.toNanos() / 3) {
                        return false;
                    }
                    killedAt[0] = now;
                    member.kill();
                    return true;
                });
        return killedAt[0];
    }

    /**
     * The survivors start each of the killed member's partitions exactly at the offset committed before the kill:
     * what it had processed and committed they never see; what it had processed after its last commit they
     * process again.
     */
    private static void assertResumedAtTheCommittedOffsets(GroupTimeline timeline, String victim,
            List<MemberProcess> survivors, Set<Integer> victimPartitions, long killedAt) {
        Map<Integer, Long> committed = timeline.committedBefore(killedAt);
        Map<Integer, GroupTimeline.Processed> resumed = timeline.firstProcessedAfter(killedAt,
                new HashSet<>(names(survivors)));
        for (int p : victimPartitions) {
            assertThat(resumed.get(p)).as("first record of partition %d a survivor processed", p).isNotNull();
            assertThat(resumed.get(p).offset()).as("partition %d resumed at the offset committed before the kill", p)
                    .isEqualTo(committed.getOrDefault(p, 0L));
        }
        List<GroupTimeline.Processed> uncommitted = timeline.processedBy(victim).stream()
                .filter(r -> r.offset() >= committed.getOrDefault(r.partition(), 0L)).toList();
        assertThat(uncommitted).as("the killed member died with processed records it had not committed")
                .isNotEmpty();
        Set<String> survivorNames = new HashSet<>(names(survivors));
        for (GroupTimeline.Processed r : uncommitted) {
            assertThat(timeline.processed()).as("%s processed again by a survivor", r).anyMatch(again ->
                    survivorNames.contains(again.member()) && again.partition() == r.partition()
                            && again.offset() == r.offset());
        }
    }

    private static void assertDelivery(GroupTimeline timeline, List<PacedProducer.Acked> acked, String victim) {
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
        System.out.printf("GroupIT: %d records acknowledged, %d processings, %d records processed more than once,"
                + " failed commits: %s%n", acked.size(), timeline.processed().size(), duplicates.size(),
                timeline.failures());
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

    /** Every partition processed by a survivor after the kill, each beyond the offset the victim had reached. */
    private static boolean survivorsPassed(List<MemberProcess> members, List<MemberProcess> survivors,
            long killedAt, Map<Integer, Long> victimLast) {
        Set<String> survivorNames = new HashSet<>(names(survivors));
        Map<Integer, Long> reached = new HashMap<>();
        for (GroupTimeline.Processed p : GroupTimeline.read(members).processed()) {
            if (survivorNames.contains(p.member()) && p.nanos() > killedAt) {
                reached.merge(p.partition(), p.offset(), Math::max);
            }
        }
        return IntStream.range(0, PARTITIONS).allMatch(p -> reached.containsKey(p)
                && reached.get(p) > victimLast.getOrDefault(p, -1L));
    }

    private static void awaitProcessing(List<MemberProcess> members, int atLeast, String what) {
        await(what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            GroupTimeline timeline = GroupTimeline.read(members);
            return members.stream().allMatch(m -> timeline.processedBy(m.name()).size() >= atLeast);
        });
    }

    private static Map<Integer, Long> lastOffsets(List<GroupTimeline.Processed> processed) {
        Map<Integer, Long> last = new TreeMap<>();
        processed.forEach(p -> last.merge(p.partition(), p.offset(), Math::max));
        return last;
    }

    private static Map<TopicPartition, Long> expectedEnds(String topic, List<PacedProducer.Acked> acked) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        IntStream.range(0, PARTITIONS).forEach(p -> ends.put(new TopicPartition(topic, p), 0L));
        acked.forEach(a -> ends.merge(new TopicPartition(topic, a.partition()), a.offset() + 1, Math::max));
        return ends;
    }

    /**
     * Waits until {@code group} is Stable with exactly the member ids that {@code members} report, each owning at
     * least one partition and together every partition of the topic exactly once; the description that showed it.
     */
    private static ConsumerGroupDescription awaitAssignedTo(Admin admin, String group, List<MemberProcess> members,
            Duration atMost) {
        AtomicReference<Object> seen = new AtomicReference<>();
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                ConsumerGroupDescription d = describe(admin, group);
                seen.set(d);
                GroupTimeline timeline = GroupTimeline.read(members);
                Set<String> ids = members.stream().map(m -> timeline.memberId(m.name())).collect(Collectors.toSet());
                return d.groupState() == GroupState.STABLE && memberIds(d).equals(ids)
                        && sharesEveryPartition(d, PARTITIONS);
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("Group " + group + " did not become Stable with " + names(members)
                    + " sharing every partition within " + atMost + "; last seen: " + seen.get(), e);
        }
        return (ConsumerGroupDescription) seen.get();
    }

    /** Whether every member owns a partition and together they own partitions 0 to n-1, each exactly once. */
    static boolean sharesEveryPartition(ConsumerGroupDescription d, int partitions) {
        List<Integer> owned = new ArrayList<>();
        for (MemberDescription m : d.members()) {
            if (m.assignment().topicPartitions().isEmpty()) {
                return false;
            }
            m.assignment().topicPartitions().forEach(tp -> owned.add(tp.partition()));
        }
        return owned.size() == partitions && new TreeSet<>(owned).equals(
                IntStream.range(0, partitions).boxed().collect(Collectors.toCollection(TreeSet::new)));
    }

    static Set<String> memberIds(ConsumerGroupDescription d) {
        return d.members().stream().map(MemberDescription::consumerId).collect(Collectors.toSet());
    }

    private static Set<Integer> partitionsOf(ConsumerGroupDescription d, String memberId) {
        return d.members().stream().filter(m -> m.consumerId().equals(memberId))
                .flatMap(m -> m.assignment().topicPartitions().stream()).map(TopicPartition::partition)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static ConsumerGroupDescription describe(Admin admin, String group) throws Exception {
        return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(10, TimeUnit.SECONDS);
    }

    static Map<TopicPartition, Long> committedOffsets(Admin admin, String group) throws Exception {
        Map<TopicPartition, Long> committed = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        offsets.forEach((tp, om) -> {
            if (om != null) {
                committed.put(tp, om.offset());
            }
        });
        return committed;
    }

    static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        IntStream.range(0, partitions).forEach(p -> request.put(new TopicPartition(topic, p), OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /** The committed offsets a group that consumed everything has: the end offsets of non-empty partitions. */
    private static Map<TopicPartition, Long> offsetsOf(Map<TopicPartition, Long> ends) {
        Map<TopicPartition, Long> nonEmpty = new HashMap<>(ends);
        nonEmpty.values().removeIf(end -> end == 0);
        return nonEmpty;
    }

    static void createTopic(SpoolProcess node, String topic, int partitions) throws Exception {
        try (Admin admin = Clients.admin(node.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    private static List<String> names(List<MemberProcess> members) {
        return members.stream().map(MemberProcess::name).toList();
    }
}
