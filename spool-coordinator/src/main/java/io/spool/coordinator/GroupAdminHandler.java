package io.spool.coordinator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.Errors;

/** DescribeGroups, ListGroups and ConsumerGroupDescribe over one shard. Called under the coordinator lock. */
final class GroupAdminHandler {

    private final CoordinatorContext ctx;

    GroupAdminHandler(CoordinatorContext ctx) {
        this.ctx = ctx;
    }

    /** A group that does not exist, or is not classic, is Dead (v6+: GROUP_ID_NOT_FOUND, as KIP-1043). */
    DescribedGroup describe(CoordinatorShard shard, String groupId, short version) {
        Group g = shard.groups.get(groupId);
        if (!(g instanceof ClassicGroup group)) {
            DescribedGroup d = new DescribedGroup().setGroupId(groupId).setGroupState("Dead");
            if (version >= 6) {
                d.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                    .setErrorMessage("Group " + groupId + " not found.");
            }
            return d;
        }
        boolean stable = group.isIn(ClassicGroupState.STABLE);
        DescribedGroup d = new DescribedGroup().setGroupId(groupId).setGroupState(group.stateName())
            .setProtocolType(group.protocolType()).setProtocolData(stable ? group.protocolName : "");
        for (ClassicMember m : group.members.values()) {
            DescribedGroupMember dm = new DescribedGroupMember().setMemberId(m.memberId)
                .setGroupInstanceId(m.instanceId).setClientId(m.clientId).setClientHost(m.clientHost);
            if (stable) {
                dm.setMemberMetadata(m.metadata(group.protocolName)).setMemberAssignment(m.assignment);
            }
            d.members().add(dm);
        }
        return d;
    }

    /** Filters are case-insensitive; ListGroups v4 states, v5 types ("classic", "consumer"). */
    List<ListedGroup> list(CoordinatorShard shard, List<String> states, List<String> types) {
        Set<String> stateFilter = states.stream().map(s -> s.trim().toLowerCase(Locale.ROOT))
            .collect(Collectors.toSet());
        Set<String> typeFilter = types.stream().map(s -> s.trim().toLowerCase(Locale.ROOT))
            .collect(Collectors.toSet());
        List<ListedGroup> out = new ArrayList<>();
        shard.groups.values().stream().sorted((a, b) -> a.groupId().compareTo(b.groupId())).forEach(g -> {
            if ((stateFilter.isEmpty() || stateFilter.contains(g.stateName().toLowerCase(Locale.ROOT)))
                && (typeFilter.isEmpty() || typeFilter.contains(g.type()))) {
                out.add(new ListedGroup().setGroupId(g.groupId()).setProtocolType(g.protocolType())
                    .setGroupState(g.stateName()).setGroupType(g.type()));
            }
        });
        return out;
    }

    /** GROUP_ID_NOT_FOUND for a group that does not exist or is not a consumer group. */
    ConsumerGroupDescribeResponseData.DescribedGroup consumerDescribe(CoordinatorShard shard, String groupId) {
        Group g = shard.groups.get(groupId);
        if (!(g instanceof ConsumerGroup group)) {
            return new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId)
                .setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                .setErrorMessage("Group " + groupId + " not found.");
        }
        TopicsMetadata topics = ctx.topics.get();
        var d = new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId)
            .setGroupState(group.stateName()).setGroupEpoch(group.groupEpoch)
            .setAssignmentEpoch(group.assignmentEpoch).setAssignorName(ConsumerGroupHandler.assignorOf(group,
                ctx.config));
        for (ConsumerMember m : group.members.values()) {
            d.members().add(new ConsumerGroupDescribeResponseData.Member().setMemberId(m.memberId())
                .setInstanceId(m.instanceId()).setRackId(m.rackId()).setMemberEpoch(m.memberEpoch())
                .setClientId(m.clientId()).setClientHost(m.clientHost())
                .setSubscribedTopicNames(new ArrayList<>(m.subscribedTopicNames()))
                .setSubscribedTopicRegex(m.subscribedTopicRegex())
                .setAssignment(describe(m.assigned(), topics))
                .setTargetAssignment(describe(group.target(m.memberId()), topics))
                .setMemberType((byte) 1));
        }
        return d;
    }

    private static ConsumerGroupDescribeResponseData.Assignment describe(Assignment a, TopicsMetadata topics) {
        var out = new ConsumerGroupDescribeResponseData.Assignment();
        a.partitions().forEach((id, parts) -> {
            TopicInfo info = topics.byId(id);
            out.topicPartitions().add(new ConsumerGroupDescribeResponseData.TopicPartitions().setTopicId(id)
                .setTopicName(info == null ? "" : info.name()).setPartitions(new ArrayList<>(parts)));
        });
        return out;
    }
}
