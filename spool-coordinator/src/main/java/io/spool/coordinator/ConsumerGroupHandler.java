package io.spool.coordinator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * ConsumerGroupHeartbeat (KIP-848): joins, subscription changes, leaves, session and rebalance timeouts; the target
 * assignment by the server-side assignor on each group epoch; and each member's incremental reconciliation towards
 * it (revoke first, then take partitions once their previous owner released them). Every change is written as the
 * group's snapshot before the member hears of it. Called under the coordinator lock.
 */
final class ConsumerGroupHandler {

    static final int LEAVE_EPOCH = -1;
    static final int STATIC_LEAVE_EPOCH = -2;

    private final CoordinatorContext ctx;
    private final ConsumerReconciler reconciler = new ConsumerReconciler();

    ConsumerGroupHandler(CoordinatorContext ctx) {
        this.ctx = ctx;
    }

    static String sessionKey(String groupId, String memberId) {
        return "cg-session:" + groupId + ":" + memberId;
    }

    static String rebalanceKey(String groupId, String memberId) {
        return "cg-rebalance:" + groupId + ":" + memberId;
    }

    static ConsumerGroupHeartbeatResponseData error(Errors e, String message) {
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(e.code()).setErrorMessage(message);
    }

    /** INVALID_REQUEST, UNSUPPORTED_ASSIGNOR or INVALID_REGULAR_EXPRESSION for a malformed request; else null. */
    static ConsumerGroupHeartbeatResponseData validate(ConsumerGroupHeartbeatRequestData req) {
        String problem = null;
        if (req.groupId() == null || req.groupId().isEmpty()) {
            problem = "GroupId can't be empty.";
        } else if ("".equals(req.instanceId())) {
            problem = "InstanceId can't be empty.";
        } else if ("".equals(req.rackId())) {
            problem = "RackId can't be empty.";
        } else if (req.memberEpoch() > 0 || req.memberEpoch() == LEAVE_EPOCH) {
            problem = req.memberId().isEmpty() ? "MemberId can't be empty." : null;
        } else if (req.memberEpoch() == 0) {
            if (req.rebalanceTimeoutMs() == -1) {
                problem = "RebalanceTimeoutMs must be provided in first request.";
            } else if (req.topicPartitions() == null || !req.topicPartitions().isEmpty()) {
                problem = "TopicPartitions must be empty when (re-)joining.";
            } else if ((req.subscribedTopicNames() == null || req.subscribedTopicNames().isEmpty())
                && req.subscribedTopicRegex() == null) {
                problem = "SubscribedTopicNames or SubscribedTopicRegex must be set in first request.";
            }
        } else if (req.memberEpoch() == STATIC_LEAVE_EPOCH) {
            problem = req.memberId().isEmpty() ? "MemberId can't be empty."
                : req.instanceId() == null ? "InstanceId can't be null." : null;
        } else {
            problem = "MemberEpoch is invalid.";
        }
        if (problem != null) {
            return error(Errors.INVALID_REQUEST, problem);
        }
        if (req.serverAssignor() != null && !Assignors.NAMES.contains(req.serverAssignor())) {
            return error(Errors.UNSUPPORTED_ASSIGNOR, "ServerAssignor " + req.serverAssignor()
                + " is not supported. Supported assignors: range, uniform.");
        }
        if (req.subscribedTopicRegex() != null) {
            try {
                Pattern.compile(req.subscribedTopicRegex());
            } catch (PatternSyntaxException e) {
                return error(Errors.INVALID_REGULAR_EXPRESSION, e.getDescription());
            }
        }
        return null;
    }

    /**
     * Errors (besides {@link #validate}): GROUP_ID_NOT_FOUND (a non-empty classic group of that id),
     * UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH, UNRELEASED_INSTANCE_ID, FENCED_INSTANCE_ID, GROUP_MAX_SIZE_REACHED,
     * and the mapped error of a failed write.
     */
    void heartbeat(CoordinatorShard shard, ConsumerGroupHeartbeatRequestData req, String clientId, String clientHost,
                   CompletableFuture<ConsumerGroupHeartbeatResponseData> f) {
        String groupId = req.groupId();
        List<CoordinatorRecord> extra = new ArrayList<>();
        Group existing = shard.groups.get(groupId);
        if (existing instanceof ClassicGroup classic) {
            if (req.memberEpoch() != 0 || !classic.isEmpty()) {
                // Kafka converts a classic group whose members all use the consumer protocol; Spool does not yet
                f.complete(error(Errors.GROUP_ID_NOT_FOUND, "Group " + groupId + " is not a consumer group."));
                return;
            }
            shard.groups.remove(groupId);
            extra.add(CoordinatorRecordSerde.groupMetadata(groupId, null));
            existing = null;
        }
        ConsumerGroup group = (ConsumerGroup) existing;
        if (group == null) {
            if (req.memberEpoch() != 0) {
                f.complete(error(Errors.UNKNOWN_MEMBER_ID, "Group " + groupId + " has no member " + req.memberId()));
                return;
            }
            group = new ConsumerGroup(groupId);
            group.durable = group.toValue();
            group.lastWritten = group.durable;
            shard.groups.put(groupId, group);
        }
        if (req.memberEpoch() == LEAVE_EPOCH || req.memberEpoch() == STATIC_LEAVE_EPOCH) {
            leave(shard, group, req, f);
            return;
        }
        ConsumerMember member;
        try {
            member = memberFor(group, req, clientId, clientHost);
        } catch (HeartbeatError e) {
            f.complete(error(e.error, e.getMessage()));
            return;
        }
        boolean joined = !group.members.containsKey(member.memberId()) || req.memberEpoch() == 0;
        ConsumerMember before = group.members.get(member.memberId());
        boolean subscriptionChanged = before == null
            || !Objects.equals(before.subscribedTopicNames(), member.subscribedTopicNames())
            || !Objects.equals(before.subscribedTopicRegex(), member.subscribedTopicRegex())
            || !Objects.equals(before.serverAssignor(), member.serverAssignor());
        group.members.put(member.memberId(), member);
        maybeUpdateTarget(group, subscriptionChanged);
        ConsumerMember reconciled = reconciler.reconcile(group, member, req.topicPartitions());
        group.members.put(member.memberId(), reconciled);
        scheduleSession(shard, group, reconciled.memberId());
        maybeScheduleRebalanceTimeout(shard, group, before, reconciled);
        boolean sendAssignment = joined || before == null || !before.assigned().equals(reconciled.assigned())
            || req.topicPartitions() != null && !ownedEquals(req.topicPartitions(), reconciled.assigned());
        ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData()
            .setMemberId(reconciled.memberId()).setMemberEpoch(reconciled.memberEpoch())
            .setHeartbeatIntervalMs(ctx.config.consumerHeartbeatIntervalMs());
        if (sendAssignment) {
            response.setAssignment(toResponse(reconciled.assigned()));
        }
        persist(shard, group, extra, response, f);
    }

    private static final class HeartbeatError extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Errors error;

        HeartbeatError(Errors error, String message) {
            super(message, null, false, false);
            this.error = error;
        }
    }

    private ConsumerMember memberFor(ConsumerGroup group, ConsumerGroupHeartbeatRequestData req, String clientId,
                                     String clientHost) throws HeartbeatError {
        ConsumerMember current = req.memberId().isEmpty() ? null : group.members.get(req.memberId());
        if (req.memberEpoch() == 0) {
            if (req.instanceId() != null) {
                ConsumerMember holder = group.staticMember(req.instanceId());
                if (holder != null && !holder.memberId().equals(req.memberId())) {
                    throw new HeartbeatError(Errors.UNRELEASED_INSTANCE_ID, "Static member " + req.instanceId()
                        + " has not left the group yet.");
                }
            }
            if (current == null && group.members.size() >= ctx.config.consumerMaxSize()) {
                throw new HeartbeatError(Errors.GROUP_MAX_SIZE_REACHED, "The group is full.");
            }
            // Kafka 4 clients name themselves (KIP-1082); older ones leave it to the coordinator
            String memberId = req.memberId().isEmpty() ? new Uuid(ctx.random.nextLong(), ctx.random.nextLong())
                .toString() : req.memberId();
            // a (re)joining member starts from nothing: what it owned before is free again
            return new ConsumerMember(memberId, req.instanceId(), req.rackId(), clientId, clientHost, 0, 0,
                ConsumerMember.State.STABLE, req.rebalanceTimeoutMs(), req.serverAssignor(),
                req.subscribedTopicNames(), req.subscribedTopicRegex(), Assignment.empty(), Assignment.empty());
        }
        if (current == null) {
            throw new HeartbeatError(Errors.UNKNOWN_MEMBER_ID, "Member " + req.memberId() + " is not in group "
                + req.groupId() + ".");
        }
        if (req.instanceId() != null && !req.instanceId().equals(current.instanceId())) {
            throw new HeartbeatError(Errors.FENCED_INSTANCE_ID, "Instance id " + req.instanceId()
                + " does not match member " + req.memberId() + ".");
        }
        if (req.memberEpoch() > current.memberEpoch()
            || req.memberEpoch() < current.memberEpoch() && (req.memberEpoch() != current.previousMemberEpoch()
            || req.topicPartitions() != null && !toAssignment(req.topicPartitions()).minus(current.assigned())
            .isEmpty())) {
            throw new HeartbeatError(Errors.FENCED_MEMBER_EPOCH, "The member epoch " + req.memberEpoch()
                + " is fenced; the current one is " + current.memberEpoch() + ".");
        }
        return new ConsumerMember(current.memberId(), current.instanceId(),
            req.rackId() != null ? req.rackId() : current.rackId(), clientId, clientHost, current.memberEpoch(),
            current.previousMemberEpoch(), current.state(),
            req.rebalanceTimeoutMs() != -1 ? req.rebalanceTimeoutMs() : current.rebalanceTimeoutMs(),
            req.serverAssignor() != null ? req.serverAssignor() : current.serverAssignor(),
            req.subscribedTopicNames() != null ? req.subscribedTopicNames() : current.subscribedTopicNames(),
            req.subscribedTopicNames() != null && req.subscribedTopicRegex() == null ? null
                : req.subscribedTopicRegex() != null ? req.subscribedTopicRegex() : current.subscribedTopicRegex(),
            current.assigned(), current.pendingRevocation());
    }

    private void leave(CoordinatorShard shard, ConsumerGroup group, ConsumerGroupHeartbeatRequestData req,
                       CompletableFuture<ConsumerGroupHeartbeatResponseData> f) {
        ConsumerMember member = group.members.get(req.memberId());
        if (member == null) {
            f.complete(error(Errors.UNKNOWN_MEMBER_ID, "Member " + req.memberId() + " is not in group "
                + group.groupId() + "."));
            return;
        }
        if (req.instanceId() != null && !req.instanceId().equals(member.instanceId())) {
            f.complete(error(Errors.FENCED_INSTANCE_ID, "Instance id " + req.instanceId() + " does not match."));
            return;
        }
        removeMember(shard, group, member.memberId());
        persist(shard, group, List.of(), new ConsumerGroupHeartbeatResponseData().setMemberId(member.memberId())
            .setMemberEpoch(req.memberEpoch()).setHeartbeatIntervalMs(0), f);
    }

    /** Removes (fences) a member: its partitions are free for others at once. */
    void removeMember(CoordinatorShard shard, ConsumerGroup group, String memberId) {
        group.members.remove(memberId);
        group.targets.remove(memberId);
        ctx.cancel(shard, sessionKey(group.groupId(), memberId));
        ctx.cancel(shard, rebalanceKey(group.groupId(), memberId));
        maybeUpdateTarget(group, true);
    }

    /** Bumps the group epoch and computes a new target when the subscriptions or their topics changed. */
    void maybeUpdateTarget(ConsumerGroup group, boolean subscriptionChanged) {
        TopicsMetadata topics = ctx.topics.get();
        SortedMap<String, Set<TopicInfo>> subscriptions = new TreeMap<>();
        StringBuilder fingerprint = new StringBuilder();
        for (ConsumerMember m : group.members.values()) {
            Set<TopicInfo> resolved = new TreeSet<>((a, b) -> a.name().compareTo(b.name()));
            for (String name : m.subscribedTopicNames()) {
                TopicInfo t = topics.byName(name);
                if (t != null) {
                    resolved.add(t);
                }
            }
            if (m.subscribedTopicRegex() != null) {
                Pattern p = Pattern.compile(m.subscribedTopicRegex());
                topics.all().stream().filter(t -> p.matcher(t.name()).matches()).forEach(resolved::add);
            }
            subscriptions.put(m.memberId(), resolved);
            resolved.forEach(t -> fingerprint.append(t.name()).append('/').append(t.id()).append('/')
                .append(t.partitions()).append(';'));
        }
        String fp = fingerprint.toString();
        boolean topicsChanged = group.subscriptionFingerprint != null && !group.subscriptionFingerprint.equals(fp);
        group.subscriptionFingerprint = fp;
        if (!subscriptionChanged && !topicsChanged) {
            return;
        }
        group.groupEpoch++;
        Map<String, Assignment> target = Assignors.assign(assignorOf(group, ctx.config), subscriptions,
            new HashMap<>(group.targets));
        group.targets.clear();
        group.targets.putAll(target);
        group.assignmentEpoch = group.groupEpoch;
    }

    /** The assignor most members ask for (ties to the smaller name), else the configured default. */
    static String assignorOf(ConsumerGroup group, GroupCoordinatorConfig config) {
        Map<String, Integer> votes = new TreeMap<>();
        group.members.values().forEach(m -> {
            if (m.serverAssignor() != null) {
                votes.merge(m.serverAssignor(), 1, Integer::sum);
            }
        });
        String best = config.consumerDefaultAssignor();
        int most = 0;
        for (var e : votes.entrySet()) {
            if (e.getValue() > most) {
                best = e.getKey();
                most = e.getValue();
            }
        }
        return best;
    }

    /** After a load: every member gets a fresh session, and a member that must revoke its rebalance timeout. */
    void onLoaded(CoordinatorShard shard, ConsumerGroup group) {
        for (ConsumerMember m : group.members.values()) {
            scheduleSession(shard, group, m.memberId());
            maybeScheduleRebalanceTimeout(shard, group, null, m);
        }
    }

    private void scheduleSession(CoordinatorShard shard, ConsumerGroup group, String memberId) {
        ctx.schedule(shard, sessionKey(group.groupId(), memberId), ctx.config.consumerSessionTimeoutMs(),
            () -> fence(shard, group, memberId));
    }

    /** A member that must revoke partitions gets its rebalance timeout to do so, or is fenced. */
    private void maybeScheduleRebalanceTimeout(CoordinatorShard shard, ConsumerGroup group, ConsumerMember before,
                                               ConsumerMember after) {
        String key = rebalanceKey(group.groupId(), after.memberId());
        if (after.state() != ConsumerMember.State.UNREVOKED_PARTITIONS) {
            ctx.cancel(shard, key);
        } else if (before == null || before.state() != ConsumerMember.State.UNREVOKED_PARTITIONS
            || !ctx.isScheduled(shard, key)) {
            ctx.schedule(shard, key, after.rebalanceTimeoutMs(), () -> fence(shard, group, after.memberId()));
        }
    }

    private void fence(CoordinatorShard shard, ConsumerGroup group, String memberId) {
        if (shard.groups.get(group.groupId()) != group || !group.members.containsKey(memberId)) {
            return;
        }
        removeMember(shard, group, memberId);
        persist(shard, group, List.of(), null, null);
    }

    /** Writes the group's snapshot; on failure the group goes back to its last durable state. */
    void persist(CoordinatorShard shard, ConsumerGroup group, List<CoordinatorRecord> extra,
                 ConsumerGroupHeartbeatResponseData response,
                 CompletableFuture<ConsumerGroupHeartbeatResponseData> f) {
        CoordinatorRecordSerde.ConsumerGroupValue value = group.toValue();
        List<CoordinatorRecord> records = new ArrayList<>(extra);
        if (!value.equals(group.lastWritten) || !records.isEmpty()) {
            records.add(CoordinatorRecordSerde.groupMetadata(group.groupId(), value));
            group.lastWritten = value;
        }
        ctx.append(shard, records, error -> {
            if (error == Errors.NONE) {
                if (!records.isEmpty()) {
                    group.durable = value;
                }
            } else if (shard.groups.get(group.groupId()) == group) {
                group.restore(group.durable);
            }
            if (f != null) {
                f.complete(error == Errors.NONE ? response : error(error, null));
            }
        });
    }

    private static boolean ownedEquals(List<ConsumerGroupHeartbeatRequestData.TopicPartitions> owned,
                                       Assignment assigned) {
        return toAssignment(owned).equals(assigned);
    }

    static Assignment toAssignment(List<ConsumerGroupHeartbeatRequestData.TopicPartitions> owned) {
        Map<Uuid, Set<Integer>> m = new HashMap<>();
        owned.forEach(t -> m.computeIfAbsent(t.topicId(), k -> new TreeSet<>()).addAll(t.partitions()));
        return Assignment.of(m);
    }

    private static ConsumerGroupHeartbeatResponseData.Assignment toResponse(Assignment a) {
        var out = new ConsumerGroupHeartbeatResponseData.Assignment();
        a.partitions().forEach((id, parts) -> out.topicPartitions().add(
            new ConsumerGroupHeartbeatResponseData.TopicPartitions().setTopicId(id)
                .setPartitions(new ArrayList<>(parts))));
        return out;
    }
}
