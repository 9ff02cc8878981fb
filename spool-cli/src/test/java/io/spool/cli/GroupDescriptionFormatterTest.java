package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberAssignment;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class GroupDescriptionFormatterTest {
    private static final Node COORDINATOR = new Node(1, "127.0.0.1", 9092);
    private static final TopicPartition T0 = new TopicPartition("t", 0);
    private static final TopicPartition T1 = new TopicPartition("t", 1);
    private static final TopicPartition U3 = new TopicPartition("u", 3);

    @Test
    void shouldShowStateMembersAndLagPerPartitionWhenTheGroupIsActive() {
        ConsumerGroupDescription group = group(GroupState.STABLE, "range",
                member("m-2", "c-2", Set.of(U3)), member("m-1", "c-1", Set.of(T1, T0)));
        GroupDescriptionFormatter formatter = new GroupDescriptionFormatter(Map.of(T0, 40L, U3, 5L),
                Map.of(T0, 52L, T1, 7L, U3, 5L));

        List<String> lines = formatter.format(group);

        assertThat(lines).containsExactly(
                "GROUP  TYPE     STATE   COORDINATOR (ID)    ASSIGNMENT-STRATEGY  #MEMBERS",
                "g      Classic  Stable  127.0.0.1:9092 (1)  range                2",
                "",
                "GROUP  CONSUMER-ID  HOST        CLIENT-ID  #PARTITIONS  ASSIGNMENT",
                "g      m-1          /127.0.0.1  c-1        2            t(0,1)",
                "g      m-2          /127.0.0.1  c-2        1            u(3)",
                "",
                "GROUP  TOPIC  PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG  CONSUMER-ID  HOST        CLIENT-ID",
                "g      t      0          40              52              12   m-1          /127.0.0.1  c-1",
                "g      t      1          -               7               -    m-1          /127.0.0.1  c-1",
                "g      u      3          5               5               0    m-2          /127.0.0.1  c-2");
    }

    @Test
    void shouldShowCommittedPartitionsWithoutAnOwnerWhenTheGroupHasNoMembers() {
        ConsumerGroupDescription group = group(GroupState.EMPTY, "");
        GroupDescriptionFormatter formatter = new GroupDescriptionFormatter(Map.of(T1, 3L, T0, 9L), Map.of(T0, 10L));

        List<String> lines = formatter.format(group);

        assertThat(lines).containsExactly(
                "GROUP  TYPE     STATE  COORDINATOR (ID)    ASSIGNMENT-STRATEGY  #MEMBERS",
                "g      Classic  Empty  127.0.0.1:9092 (1)  -                    0",
                "",
                "Consumer group 'g' has no active members.",
                "",
                "GROUP  TOPIC  PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG  CONSUMER-ID  HOST  CLIENT-ID",
                "g      t      0          9               10              1    -            -     -",
                "g      t      1          3               -               -    -            -     -");
    }

    @Test
    void shouldSaySoWhenTheGroupHasNeitherMembersNorOffsets() {
        List<String> lines = new GroupDescriptionFormatter(Map.of(), Map.of()).format(group(GroupState.EMPTY, ""));

        assertThat(lines).endsWith("Consumer group 'g' has no active members.", "",
                "Consumer group 'g' has no committed offsets.");
    }

    @Test
    void shouldGroupPartitionsByTopicWhenFormattingAnAssignment() {
        assertThat(GroupDescriptionFormatter.assignment(Set.of(U3, T1, T0))).isEqualTo("t(0,1),u(3)");
        assertThat(GroupDescriptionFormatter.assignment(Set.of())).isEmpty();
    }

    private static ConsumerGroupDescription group(GroupState state, String assignor, MemberDescription... members) {
        return new ConsumerGroupDescription("g", false, List.of(members), assignor, GroupType.CLASSIC, state,
                COORDINATOR, Set.of(), Optional.empty(), Optional.empty());
    }

    private static MemberDescription member(String id, String clientId, Set<TopicPartition> partitions) {
        return new MemberDescription(id, Optional.empty(), Optional.empty(), clientId, "/127.0.0.1",
                new MemberAssignment(partitions), Optional.empty(), Optional.empty(), Optional.empty());
    }
}
