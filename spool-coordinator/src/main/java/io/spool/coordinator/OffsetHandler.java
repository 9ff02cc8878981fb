package io.spool.coordinator;

import static io.spool.coordinator.CoordinatorRecordSerde.OffsetValue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetCommit, OffsetDelete and offset retention. A commit is applied to the shard only once the log made it
 * durable; until then it counts as pending (unstable). Called under the coordinator lock.
 */
final class OffsetHandler {

    private final CoordinatorContext ctx;

    OffsetHandler(CoordinatorContext ctx) {
        this.ctx = ctx;
    }

    /**
     * OffsetCommit v2-10. Group-level errors, applied to every partition: INVALID_GROUP_ID, NOT_COORDINATOR,
     * COORDINATOR_LOAD_IN_PROGRESS, GROUP_ID_NOT_FOUND (v9+, member commit to an unknown group), ILLEGAL_GENERATION,
     * UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, REBALANCE_IN_PROGRESS, STALE_MEMBER_EPOCH, UNSUPPORTED_VERSION,
     * COORDINATOR_NOT_AVAILABLE; per partition: UNKNOWN_TOPIC_ID (v10), OFFSET_METADATA_TOO_LARGE; and the mapped
     * error of a failed append.
     */
    void commit(CoordinatorShard shard, OffsetCommitRequestData req, short version,
                java.util.function.Consumer<OffsetCommitResponseData> respond) {
        Group group = shard.groups.get(req.groupId());
        boolean created = false;
        Errors groupError = Errors.NONE;
        if (group == null) {
            if (req.generationIdOrMemberEpoch() < 0) {
                group = new ClassicGroup(req.groupId(), ctx.now());
                shard.groups.put(req.groupId(), group);
                created = true;
            } else {
                groupError = version >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION;
            }
        } else if (group instanceof ClassicGroup g) {
            groupError = validateClassicCommit(g, req);
        } else {
            groupError = ((ConsumerGroup) group).validateOffsetCommit(req.memberId(), req.groupInstanceId(),
                req.generationIdOrMemberEpoch(), version);
        }
        if (groupError != Errors.NONE) {
            respond.accept(errorResponse(req, version, groupError));
            return;
        }
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        List<CoordinatorRecord> records = new ArrayList<>();
        List<TopicPartition> written = new ArrayList<>();
        List<OffsetValue> values = new ArrayList<>();
        List<OffsetCommitResponsePartition> writtenResponses = new ArrayList<>();
        TopicsMetadata topics = version >= 10 ? ctx.topics.get() : null;
        long now = ctx.now();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : req.topics()) {
            OffsetCommitResponseTopic rt = new OffsetCommitResponseTopic().setName(t.name()).setTopicId(t.topicId());
            response.topics().add(rt);
            String name = t.name();
            if (version >= 10) {
                TopicInfo info = topics.byId(t.topicId());
                name = info == null ? null : info.name();
            }
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                OffsetCommitResponsePartition rp = new OffsetCommitResponsePartition()
                    .setPartitionIndex(p.partitionIndex());
                rt.partitions().add(rp);
                String metadata = p.committedMetadata() == null ? "" : p.committedMetadata();
                if (name == null) {
                    rp.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
                } else if (metadata.length() > ctx.config.offsetMetadataMaxBytes()) {
                    rp.setErrorCode(Errors.OFFSET_METADATA_TOO_LARGE.code());
                } else {
                    TopicPartition tp = new TopicPartition(name, p.partitionIndex());
                    OffsetValue v = new OffsetValue(p.committedOffset(), p.committedLeaderEpoch(), metadata, now);
                    records.add(CoordinatorRecordSerde.offsetCommit(req.groupId(), name, p.partitionIndex(), v));
                    written.add(tp);
                    values.add(v);
                    writtenResponses.add(rp);
                    shard.offsets.addPending(req.groupId(), tp);
                }
            }
        }
        if (created) {
            records.add(CoordinatorRecordSerde.groupMetadata(req.groupId(), group.toValue()));
        }
        String groupId = req.groupId();
        Group createdGroup = created ? group : null;
        ctx.append(shard, records, error -> {
            for (int i = 0; i < written.size(); i++) {
                shard.offsets.removePending(groupId, written.get(i));
                if (error == Errors.NONE) {
                    shard.offsets.put(groupId, written.get(i), values.get(i));
                } else {
                    writtenResponses.get(i).setErrorCode(error.code());
                }
            }
            if (error != Errors.NONE && createdGroup != null && shard.groups.get(groupId) == createdGroup
                && createdGroup.isEmpty() && shard.offsets.offsets(groupId).isEmpty()) {
                shard.groups.remove(groupId);
            }
            respond.accept(response);
        });
    }

    private static Errors validateClassicCommit(ClassicGroup g, OffsetCommitRequestData req) {
        // Without a generation: the admin client or a manually assigning consumer, only while the group is Empty.
        Errors error = g.validateCommitter(req.generationIdOrMemberEpoch(), req.memberId(), req.groupInstanceId(),
            false);
        if (error != Errors.NONE) {
            return error;
        }
        if (g.isIn(ClassicGroupState.COMPLETING_REBALANCE)) {
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return Errors.NONE;
    }

    static OffsetCommitResponseData errorResponse(OffsetCommitRequestData req, short version, Errors error) {
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : req.topics()) {
            OffsetCommitResponseTopic rt = new OffsetCommitResponseTopic().setName(t.name()).setTopicId(t.topicId());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                rt.partitions().add(new OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex())
                    .setErrorCode(error.code()));
            }
            response.topics().add(rt);
        }
        return response;
    }

    /**
     * OffsetDelete v0. Top level: INVALID_GROUP_ID, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
     * GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP (a non-empty classic group that is not a consumer), or the mapped append
     * error; per partition: GROUP_SUBSCRIBED_TO_TOPIC while an active member subscribes to the topic. Deletes the
     * committed offset only: an open transaction's offset of the partition stays pending and is committed by its
     * COMMIT marker, which the log orders after the tombstone (unlike Kafka, which drops it).
     */
    void delete(CoordinatorShard shard, OffsetDeleteRequestData req,
                java.util.function.Consumer<OffsetDeleteResponseData> respond) {
        Group group = shard.groups.get(req.groupId());
        Errors groupError = Errors.NONE;
        if (group == null || (group instanceof ClassicGroup c && c.isIn(ClassicGroupState.DEAD))) {
            groupError = Errors.GROUP_ID_NOT_FOUND;
        } else if (group instanceof ClassicGroup c && !c.isEmpty() && !"consumer".equals(c.protocolType)) {
            groupError = Errors.NON_EMPTY_GROUP;
        }
        if (groupError != Errors.NONE) {
            respond.accept(new OffsetDeleteResponseData().setErrorCode(groupError.code()));
            return;
        }
        Set<String> subscribed = group.isEmpty() ? Set.of() : subscribedTopics(group);
        OffsetDeleteResponseData response = new OffsetDeleteResponseData();
        List<CoordinatorRecord> records = new ArrayList<>();
        List<TopicPartition> deleted = new ArrayList<>();
        for (OffsetDeleteRequestData.OffsetDeleteRequestTopic t : req.topics()) {
            OffsetDeleteResponseData.OffsetDeleteResponseTopic rt =
                new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(t.name());
            response.topics().add(rt);
            for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : t.partitions()) {
                OffsetDeleteResponseData.OffsetDeleteResponsePartition rp =
                    new OffsetDeleteResponseData.OffsetDeleteResponsePartition().setPartitionIndex(p.partitionIndex());
                rt.partitions().add(rp);
                if (subscribed.contains(t.name())) {
                    rp.setErrorCode(Errors.GROUP_SUBSCRIBED_TO_TOPIC.code());
                    continue;
                }
                TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                if (shard.offsets.offset(req.groupId(), tp) != null) {
                    records.add(CoordinatorRecordSerde.offsetCommit(req.groupId(), t.name(), p.partitionIndex(),
                        null));
                    deleted.add(tp);
                }
            }
        }
        ctx.append(shard, records, error -> {
            if (error == Errors.NONE) {
                deleted.forEach(tp -> shard.offsets.remove(req.groupId(), tp));
                respond.accept(response);
            } else {
                respond.accept(new OffsetDeleteResponseData().setErrorCode(error.code()));
            }
        });
    }

    static Set<String> subscribedTopics(Group group) {
        if (group instanceof ConsumerGroup c) {
            return c.subscribedTopicNames();
        }
        ClassicGroup g = (ClassicGroup) group;
        Set<String> out = new HashSet<>();
        if (!"consumer".equals(g.protocolType) || g.protocolName == null) {
            return out;
        }
        for (ClassicMember m : g.members.values()) {
            try {
                out.addAll(org.apache.kafka.clients.consumer.internals.ConsumerProtocol.deserializeSubscription(
                    java.nio.ByteBuffer.wrap(m.metadata(g.protocolName))).topics());
            } catch (RuntimeException e) {
                // a subscription we cannot parse subscribes to nothing we could protect
            }
        }
        return out;
    }

    /**
     * Deletes offsets past retention: of groups without members (by the time the group became empty when it has a
     * protocol type, else by commit time) and of offsets without a group. A group left empty with no offsets is
     * deleted too. A partition with an offset of an open transaction keeps its committed offset, and a group with one
     * is kept, until the transaction ends. Returns the number of offsets expired once durable.
     */
    java.util.concurrent.CompletableFuture<Integer> expire(CoordinatorShard shard, long now) {
        long retention = ctx.config.offsetsRetentionMs();
        List<CoordinatorRecord> records = new ArrayList<>();
        List<Map.Entry<String, TopicPartition>> expired = new ArrayList<>();
        List<String> deadGroups = new ArrayList<>();
        Set<String> groupIds = new java.util.TreeSet<>(shard.groups.keySet());
        groupIds.addAll(toList(shard.offsets.groups()));
        for (String groupId : groupIds) {
            Group group = shard.groups.get(groupId);
            if (group != null && !group.isEmpty()) {
                continue;
            }
            Long stateBase = group instanceof ClassicGroup c && c.protocolType != null ? c.stateTimestamp() : null;
            int kept = 0;
            for (var e : shard.offsets.offsets(groupId).entrySet()) {
                long base = stateBase != null ? stateBase : e.getValue().commitTimestamp();
                if (now - base >= retention && !shard.offsets.hasPending(groupId, e.getKey())
                    && !shard.txnOffsets.hasPending(groupId, e.getKey())) {
                    records.add(CoordinatorRecordSerde.offsetCommit(groupId, e.getKey().topic(),
                        e.getKey().partition(), null));
                    expired.add(Map.entry(groupId, e.getKey()));
                } else {
                    kept++;
                }
            }
            if (kept == 0 && group != null && !shard.offsets.hasPending(groupId)
                && !shard.txnOffsets.hasPending(groupId)) {
                records.add(CoordinatorRecordSerde.groupMetadata(groupId, null));
                deadGroups.add(groupId);
            }
        }
        java.util.concurrent.CompletableFuture<Integer> result = new java.util.concurrent.CompletableFuture<>();
        ctx.append(shard, records, error -> {
            if (error == Errors.NONE) {
                expired.forEach(e -> shard.offsets.remove(e.getKey(), e.getValue()));
                deadGroups.forEach(g -> {
                    if (shard.groups.get(g) != null && shard.groups.get(g).isEmpty()
                        && shard.offsets.offsets(g).isEmpty()) {
                        shard.groups.remove(g);
                    }
                });
                result.complete(expired.size());
            } else {
                result.completeExceptionally(error.exception());
            }
        });
        return result;
    }

    private static <T> List<T> toList(Iterable<T> it) {
        List<T> out = new ArrayList<>();
        it.forEach(out::add);
        return out;
    }

    static Uuid idOf(TopicsMetadata topics, String name) {
        TopicInfo info = topics.byName(name);
        return info == null ? null : info.id();
    }
}
