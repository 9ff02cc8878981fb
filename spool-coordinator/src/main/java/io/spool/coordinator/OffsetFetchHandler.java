package io.spool.coordinator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetFetch for one group, in the v8+ shape (the coordinator converts for older versions). Reads only durable
 * offsets, never those of open transactions. Called under the coordinator lock.
 */
final class OffsetFetchHandler {

    private final CoordinatorContext ctx;

    OffsetFetchHandler(CoordinatorContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Group errors: GROUP_ID_NOT_FOUND (a member id or epoch given for an unknown group), UNKNOWN_MEMBER_ID,
     * STALE_MEMBER_EPOCH (consumer groups, v9+); per partition: UNKNOWN_TOPIC_ID (v10), UNSTABLE_OFFSET_COMMIT
     * (requireStable while a commit of that partition is in flight or an open transaction wrote an offset of it; the
     * consumer retries).
     */
    OffsetFetchResponseGroup fetch(CoordinatorShard shard, OffsetFetchRequestData.OffsetFetchRequestGroup req,
                                   boolean requireStable, short version) {
        OffsetFetchResponseGroup out = new OffsetFetchResponseGroup().setGroupId(req.groupId());
        Group group = shard.groups.get(req.groupId());
        boolean memberGiven = req.memberId() != null || req.memberEpoch() >= 0;
        if (group == null && memberGiven) {
            return out.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code());
        }
        if (group instanceof ConsumerGroup c && memberGiven) {
            Errors e = c.validateOffsetFetch(req.memberId(), req.memberEpoch());
            if (e != Errors.NONE) {
                return out.setErrorCode(e.code());
            }
        }
        TopicsMetadata topics = version >= 10 ? ctx.topics.get() : null;
        if (req.topics() == null) {
            fetchAll(shard, req.groupId(), requireStable, topics, out);
            return out;
        }
        for (OffsetFetchRequestData.OffsetFetchRequestTopics t : req.topics()) {
            String name = t.name();
            if (topics != null) {
                TopicInfo info = topics.byId(t.topicId());
                name = info == null ? null : info.name();
            }
            OffsetFetchResponseTopics rt = new OffsetFetchResponseTopics().setName(t.name()).setTopicId(t.topicId());
            out.topics().add(rt);
            for (int p : t.partitionIndexes()) {
                OffsetFetchResponsePartitions rp = noOffset(p);
                rt.partitions().add(rp);
                if (name == null) {
                    rp.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
                    continue;
                }
                TopicPartition tp = new TopicPartition(name, p);
                if (requireStable && isUnstable(shard, req.groupId(), tp)) {
                    rp.setErrorCode(Errors.UNSTABLE_OFFSET_COMMIT.code());
                    continue;
                }
                fill(rp, shard.offsets.offset(req.groupId(), tp));
            }
        }
        return out;
    }

    private void fetchAll(CoordinatorShard shard, String groupId, boolean requireStable, TopicsMetadata topics,
                          OffsetFetchResponseGroup out) {
        OffsetFetchResponseTopics current = null;
        for (Map.Entry<TopicPartition, CoordinatorRecordSerde.OffsetValue> e
            : shard.offsets.offsets(groupId).entrySet()) {
            TopicPartition tp = e.getKey();
            if (current == null || !current.name().equals(tp.topic())) {
                Uuid id = Uuid.ZERO_UUID;
                if (topics != null) {
                    id = OffsetHandler.idOf(topics, tp.topic());
                    if (id == null) {
                        continue; // v10 names topics by id: offsets of a topic that no longer exists are left out
                    }
                }
                current = new OffsetFetchResponseTopics().setName(tp.topic()).setTopicId(id);
                out.topics().add(current);
            }
            OffsetFetchResponsePartitions rp = noOffset(tp.partition());
            if (requireStable && isUnstable(shard, groupId, tp)) {
                rp.setErrorCode(Errors.UNSTABLE_OFFSET_COMMIT.code());
            } else {
                fill(rp, e.getValue());
            }
            current.partitions().add(rp);
        }
    }

    /** A commit of the partition is in flight, or an open transaction wrote an offset of it. */
    private static boolean isUnstable(CoordinatorShard shard, String groupId, TopicPartition tp) {
        return shard.offsets.hasPending(groupId, tp) || shard.txnOffsets.hasPending(groupId, tp);
    }

    private static OffsetFetchResponsePartitions noOffset(int partition) {
        return new OffsetFetchResponsePartitions().setPartitionIndex(partition).setCommittedOffset(-1)
            .setCommittedLeaderEpoch(-1).setMetadata("");
    }

    private static void fill(OffsetFetchResponsePartitions rp, CoordinatorRecordSerde.OffsetValue v) {
        if (v != null) {
            rp.setCommittedOffset(v.offset()).setCommittedLeaderEpoch(v.leaderEpoch()).setMetadata(v.metadata());
        }
    }

    static List<OffsetFetchRequestData.OffsetFetchRequestGroup> groupsOf(OffsetFetchRequestData req, short version) {
        if (version >= 8) {
            return req.groups();
        }
        List<OffsetFetchRequestData.OffsetFetchRequestTopics> topics = null;
        if (req.topics() != null) {
            topics = new ArrayList<>();
            for (OffsetFetchRequestData.OffsetFetchRequestTopic t : req.topics()) {
                topics.add(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(t.name())
                    .setPartitionIndexes(t.partitionIndexes()));
            }
        }
        return List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(req.groupId())
            .setTopics(topics));
    }
}
