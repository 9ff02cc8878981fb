package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Consumer groups of real kafka-clients against a real node: members in their own processes, one killed with
 * SIGKILL while a producer writes; a static member restarted; the group admin calls. Committed offsets across a
 * node restart: {@link GroupRestartIT}; other clients: {@link GroupCompatibilityIT}.
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
    /**
     * How long after a dead member's session expired the survivors may take to own its partitions: a heartbeat
     * interval to learn of the rebalance, the rejoin and sync (classic) or reconciliation (KIP-848), on a
     * loaded machine. Measured: about 0.5 s.
     */
    private static final Duration REBALANCE_ALLOWANCE = Duration.ofSeconds(10);
    /** Long enough for a killed static member's replacement JVM to start and rejoin on a loaded machine. */
    private static final Duration STATIC_SESSION_TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    static SpoolProcess spool;

    /** The consumer settings of a member of each kind of group. */
    enum Protocol {
        /** The classic protocol with the eager range assignor, the default the Java client picks. */
        CLASSIC(Map.of("group.protocol", "classic", "partition.assignment.strategy", RangeAssignor.class.getName(),
                "session.timeout.ms", String.valueOf(SESSION_TIMEOUT.toMillis()), "heartbeat.interval.ms", "500")),
        /** The classic protocol with incremental cooperative rebalancing (KIP-429). */
        CLASSIC_COOPERATIVE(Map.of("group.protocol", "classic",
                "partition.assignment.strategy", CooperativeStickyAssignor.class.getName(),
                "session.timeout.ms", String.valueOf(SESSION_TIMEOUT.toMillis()), "heartbeat.interval.ms", "500")),
        /** KIP-848: the server assigns; sessions are the broker's. */
        CONSUMER(Map.of("group.protocol", "consumer"));

        /** One member of each group type. */
        static final List<Protocol> GROUP_TYPES = List.of(CLASSIC, CONSUMER);

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

    /**
     * Three member processes share 12 partitions while a producer writes; one is SIGKILLed with records processed
     * but not committed. Within the session timeout (and a little for the rebalance) its partitions belong to the
     * two survivors, which resume each exactly at its committed offset and go on consuming every partition; in the
     * end every acknowledged record was processed and committed, no record was processed after a commit covered
     * it, and only the killed member's uncommitted records were processed twice.
     */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void shouldMoveAKilledMembersPartitionsToTheSurvivorsAndNeverRedeliverACommittedRecord(Protocol protocol)
            throws Exception {
        String topic = "members-" + protocol.lower();
        String group = "members-" + protocol.lower();
        GroupAdmin.createTopic(spool, topic, PARTITIONS);
        List<MemberProcess> members = new ArrayList<>();
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            startMembers(members, dir.resolve(topic), group, topic, protocol);
            MemberProcess victim = members.get(0);
            List<MemberProcess> survivors = members.subList(1, 3);
            ConsumerGroupDescription three = awaitAssignedTo(admin, group, members, Duration.ofSeconds(60));
            Set<Integer> victimPartitions = partitionsOf(three, GroupTimeline.read(members).memberId(victim.name()));

            try (PacedProducer producer = new PacedProducer(spool.bootstrap(), topic, 5)) {
                awaitProcessing(members, 200, "every member processes records before the kill");
                long killedAt = killWhilePausedBeforeCommit(victim);
                awaitAssignedTo(admin, group, survivors, SESSION_TIMEOUT.plus(REBALANCE_ALLOWANCE));
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
                Map<TopicPartition, Long> ends = GroupAdmin.endOffsets(admin, topic);
                assertThat(ends).as("log end offsets are what the producer had acknowledged")
                        .isEqualTo(expectedEnds(topic, acked));
                await("the survivors process and commit every acknowledged record").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> GroupAdmin.committedOffsets(admin, group).equals(offsetsOf(ends)));
                GroupTimeline timeline = GroupTimeline.read(members);
                GroupDelivery.assertNoLossAndNoRedelivery(timeline, acked, victim.name());
                GroupDelivery.assertResumedAtTheCommittedOffsets(timeline, victim.name(),
                        new HashSet<>(names(survivors)), victimPartitions, killedAt);
            }
        } finally {
            members.forEach(MemberProcess::close);
        }
    }

    /**
     * KIP-345: a static member (classic protocol) killed and restarted within its session timeout gets its
     * partitions back without a rebalance: the other members' assignments are never revoked or changed.
     */
    @Test
    void shouldGiveARestartedStaticMemberItsPartitionsBackWithoutARebalance() throws Exception {
        String topic = "static";
        String group = "static";
        GroupAdmin.createTopic(spool, topic, 6);
        Path out = dir.resolve(topic);
        List<MemberProcess> members = new ArrayList<>();
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            for (int i = 1; i <= 3; i++) {
                members.add(MemberProcess.start(out, "static-" + i, spool.bootstrap(), group, topic,
                        staticSettings("static-" + i)));
            }
            ConsumerGroupDescription before = awaitAssignedTo(admin, group, members, 6, Duration.ofSeconds(60));
            String oldId = GroupTimeline.read(members).memberId("static-1");

            long killedAt = System.nanoTime();
            members.get(0).kill();
            members.set(0, MemberProcess.start(out, "static-1", spool.bootstrap(), group, topic,
                    staticSettings("static-1")));
            await("the restarted member reports a new member id").atMost(Duration.ofSeconds(60))
                    .until(() -> GroupTimeline.read(members).memberId("static-1"), id -> !oldId.equals(id));
            ConsumerGroupDescription after = awaitAssignedTo(admin, group, members, 6, Duration.ofSeconds(10));

            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt)).as("back before its session"
                    + " expired").isLessThan(STATIC_SESSION_TIMEOUT.toMillis());
            GroupTimeline timeline = GroupTimeline.read(members);
            for (MemberProcess m : members) {
                String instance = m.name();
                assertThat(partitionsOf(after, timeline.memberId(instance))).as("%s owns what it owned", instance)
                        .isEqualTo(partitionsOfInstance(before, instance));
            }
            assertThat(timeline.assignmentChanges()).as("no rebalance: the other members' listeners saw nothing")
                    .noneMatch(c -> c.nanos() > killedAt && !c.member().equals("static-1"));
        } finally {
            members.forEach(MemberProcess::close);
        }
    }

    private static Map<String, String> staticSettings(String instanceId) {
        return Map.of("group.protocol", "classic", "group.instance.id", instanceId, "heartbeat.interval.ms", "500",
                "session.timeout.ms", String.valueOf(STATIC_SESSION_TIMEOUT.toMillis()));
    }

    private static Set<Integer> partitionsOfInstance(ConsumerGroupDescription d, String instanceId) {
        return d.members().stream().filter(m -> m.groupInstanceId().equals(Optional.of(instanceId)))
                .flatMap(m -> m.assignment().topicPartitions().stream()).map(TopicPartition::partition)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Starts three members; the first, to be killed, pauses between processing and committing, so that it can be
     * killed with processed records uncommitted: those at-least-once delivery gives the survivors again.
     */
    private static void startMembers(List<MemberProcess> members, Path out, String group, String topic,
            Protocol protocol) {
        Map<String, String> victimSettings = new HashMap<>(protocol.settings);
        victimSettings.put(GroupMember.PAUSE, String.valueOf(VICTIM_PAUSE.toMillis()));
        members.add(MemberProcess.start(out, "member-1", spool.bootstrap(), group, topic, victimSettings));
        for (int i = 2; i <= 3; i++) {
            members.add(MemberProcess.start(out, "member-" + i, spool.bootstrap(), group, topic, protocol.settings));
        }
    }

    /**
     * A classic and a consumer (KIP-848) group, two live members each: described Stable with their members'
     * assignments; listed with their types and states (and filtered by them); their offsets fetched in one call;
     * neither the groups nor their offsets of a subscribed topic deletable while active; both deletable, offsets
     * included, once their members left.
     */
    @Test
    void shouldDescribeListAndDeleteClassicAndConsumerGroups() throws Exception {
        String topic = "admin";
        GroupAdmin.createTopic(spool, topic, 4);
        GroupAdmin.produceToEachPartition(spool, topic, 4, 0, 10);
        String classic = "admin-classic";
        String consumer = "admin-consumer";
        List<PollingConsumer> members = new ArrayList<>();
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            for (Protocol protocol : Protocol.GROUP_TYPES) {
                for (int i = 1; i <= 2; i++) {
                    members.add(new PollingConsumer(spool.bootstrap(), "admin-" + protocol.lower(),
                            "admin-" + protocol.lower() + "-" + i, topic, new HashMap<>(protocol.settings)));
                }
            }
            assertDescribedStable(admin, classic, consumer);
            assertListed(admin, classic, consumer, GroupState.STABLE);

            TopicPartition first = new TopicPartition(topic, 0);
            for (String group : List.of(classic, consumer)) {
                assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of(group)).all().get())
                        .as("deleting the active group %s", group).hasCauseInstanceOf(GroupNotEmptyException.class);
                assertThatThrownBy(() -> admin.deleteConsumerGroupOffsets(group, Set.of(first)).partitionResult(first)
                        .get()).as("deleting the offset of a topic %s is subscribed to", group)
                        .hasCauseInstanceOf(GroupSubscribedToTopicException.class);
            }
            Map<TopicPartition, Long> ends = GroupAdmin.endOffsets(admin, topic);
            await("both groups commit every record, fetched in one OffsetFetch").atMost(Duration.ofSeconds(30))
                    .ignoreExceptions().until(() -> committedOffsets(admin, classic, consumer),
                            Map.of(classic, ends, consumer, ends)::equals);
            members.forEach(PollingConsumer::close);
            members.forEach(m -> assertThat(m.failures()).isEmpty());
            for (String group : List.of(classic, consumer)) {
                await(group + " is empty once its members left").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> GroupAdmin.describe(admin, group),
                                d -> d.groupState() == GroupState.EMPTY && d.members().isEmpty());
            }
            assertListed(admin, classic, consumer, GroupState.EMPTY);

            admin.deleteConsumerGroupOffsets(classic, Set.of(first)).all().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> rest = new HashMap<>(ends);
            rest.remove(first);
            assertThat(GroupAdmin.committedOffsets(admin, classic)).as("offsets after one was deleted").isEqualTo(rest);
            admin.deleteConsumerGroups(List.of(classic, consumer)).all().get(30, TimeUnit.SECONDS);
            assertThat(listGroups(admin, ListGroupsOptions.forConsumerGroups())).doesNotContainKeys(classic, consumer);
            assertThat(committedOffsets(admin, classic, consumer)).as("offsets of the deleted groups")
                    .isEqualTo(Map.of(classic, Map.of(), consumer, Map.of()));
        } finally {
            members.forEach(PollingConsumer::close);
        }
    }

    private static void assertDescribedStable(Admin admin, String classic, String consumer) {
        ConsumerGroupDescription c = GroupAdmin.awaitStable(admin, classic, 4, Duration.ofSeconds(60),
                d -> d.members().size() == 2, "2 members");
        assertThat(c.type()).isEqualTo(GroupType.CLASSIC);
        assertThat(c.partitionAssignor()).as("the client-side assignor the members chose").isEqualTo("range");
        ConsumerGroupDescription n = GroupAdmin.awaitStable(admin, consumer, 4, Duration.ofSeconds(60),
                d -> d.members().size() == 2, "2 members");
        assertThat(n.type()).isEqualTo(GroupType.CONSUMER);
        assertThat(n.partitionAssignor()).as("the default server-side assignor").isEqualTo("uniform");
        assertThat(n.members()).extracting(MemberDescription::clientId)
                .containsExactlyInAnyOrder("admin-consumer-1", "admin-consumer-2");
        assertThat(n.members()).allSatisfy(m -> {
            assertThat(m.host()).startsWith("/127.0.0.1");
            assertThat(m.memberEpoch()).hasValue(n.groupEpoch().orElseThrow());
            assertThat(m.targetAssignment()).hasValue(m.assignment());
        });
        assertThat(n.targetAssignmentEpoch()).isEqualTo(n.groupEpoch());
    }

    /** Both groups listed with their types and {@code state}, and the type and state filters applied. */
    private static void assertListed(Admin admin, String classic, String consumer, GroupState state)
            throws Exception {
        Map<String, GroupListing> listed = listGroups(admin, ListGroupsOptions.forConsumerGroups());
        assertThat(listed.get(classic)).as("%s in %s", classic, listed).isNotNull()
                .returns(Optional.of(GroupType.CLASSIC), GroupListing::type)
                .returns(Optional.of(state), GroupListing::groupState)
                .returns("consumer", GroupListing::protocol);
        assertThat(listed.get(consumer)).as("%s in %s", consumer, listed).isNotNull()
                .returns(Optional.of(GroupType.CONSUMER), GroupListing::type)
                .returns(Optional.of(state), GroupListing::groupState)
                .returns("consumer", GroupListing::protocol);
        assertThat(listGroups(admin, ListGroupsOptions.forConsumerGroups().withTypes(Set.of(GroupType.CONSUMER))))
                .containsKey(consumer).doesNotContainKey(classic);
        assertThat(listGroups(admin, ListGroupsOptions.forConsumerGroups().withTypes(Set.of(GroupType.CLASSIC))))
                .containsKey(classic).doesNotContainKey(consumer);
        assertThat(listGroups(admin, ListGroupsOptions.forConsumerGroups().inGroupStates(Set.of(state))))
                .containsKeys(classic, consumer);
        GroupState other = state == GroupState.STABLE ? GroupState.EMPTY : GroupState.STABLE;
        assertThat(listGroups(admin, ListGroupsOptions.forConsumerGroups().inGroupStates(Set.of(other))))
                .doesNotContainKeys(classic, consumer);
    }

    /** The committed offsets of several groups, asked in one call (one batched OffsetFetch to the coordinator). */
    private static Map<String, Map<TopicPartition, Long>> committedOffsets(Admin admin, String... groups)
            throws Exception {
        Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
        for (String group : groups) {
            specs.put(group, new ListConsumerGroupOffsetsSpec());
        }
        ListConsumerGroupOffsetsResult result = admin.listConsumerGroupOffsets(specs);
        Map<String, Map<TopicPartition, Long>> offsets = new HashMap<>();
        for (String group : groups) {
            Map<TopicPartition, Long> committed = new HashMap<>();
            result.partitionsToOffsetAndMetadata(group).get(10, TimeUnit.SECONDS).forEach((tp, om) -> {
                if (om != null) {
                    committed.put(tp, om.offset());
                }
            });
            offsets.put(group, committed);
        }
        return offsets;
    }

    @Test
    void shouldReportEachClassicMembersClientIdAndHostWhenDescribed() throws Exception {
        String topic = "admin-client-ids";
        String group = "admin-client-ids";
        GroupAdmin.createTopic(spool, topic, 2);
        List<PollingConsumer> members = new ArrayList<>();
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            for (int i = 1; i <= 2; i++) {
                members.add(new PollingConsumer(spool.bootstrap(), group, "classic-client-" + i, topic,
                        new HashMap<>(Protocol.CLASSIC.settings)));
            }
            ConsumerGroupDescription d = GroupAdmin.awaitStable(admin, group, 2, Duration.ofSeconds(60),
                    g -> g.members().size() == 2, "2 members");
            assertThat(d.members()).as("%s", d).extracting(MemberDescription::clientId)
                    .containsExactlyInAnyOrder("classic-client-1", "classic-client-2");
            assertThat(d.members()).as("%s", d).allSatisfy(m -> assertThat(m.host()).startsWith("/127.0.0.1"));
        } finally {
            members.forEach(PollingConsumer::close);
        }
    }

    private static Map<String, GroupListing> listGroups(Admin admin, ListGroupsOptions options) throws Exception {
        return admin.listGroups(options).all().get(30, TimeUnit.SECONDS).stream()
                .collect(Collectors.toMap(GroupListing::groupId, Function.identity()));
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

    /** Waits until {@code group} is Stable with exactly the member ids {@code members} report, sharing it all. */
    private static ConsumerGroupDescription awaitAssignedTo(Admin admin, String group, List<MemberProcess> members,
            Duration atMost) {
        return awaitAssignedTo(admin, group, members, PARTITIONS, atMost);
    }

    private static ConsumerGroupDescription awaitAssignedTo(Admin admin, String group, List<MemberProcess> members,
            int partitions, Duration atMost) {
        return GroupAdmin.awaitStable(admin, group, partitions, atMost, d -> {
            GroupTimeline timeline = GroupTimeline.read(members);
            return GroupAdmin.memberIds(d).equals(members.stream().map(m -> timeline.memberId(m.name()))
                    .collect(Collectors.toSet()));
        }, "the member ids of " + names(members));
    }

    private static Set<Integer> partitionsOf(ConsumerGroupDescription d, String memberId) {
        return d.members().stream().filter(m -> m.consumerId().equals(memberId))
                .flatMap(m -> m.assignment().topicPartitions().stream()).map(TopicPartition::partition)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The committed offsets a group that consumed everything has: the end offsets of non-empty partitions. */
    private static Map<TopicPartition, Long> offsetsOf(Map<TopicPartition, Long> ends) {
        Map<TopicPartition, Long> nonEmpty = new HashMap<>(ends);
        nonEmpty.values().removeIf(end -> end == 0);
        return nonEmpty;
    }

    private static List<String> names(List<MemberProcess> members) {
        return members.stream().map(MemberProcess::name).toList();
    }
}
