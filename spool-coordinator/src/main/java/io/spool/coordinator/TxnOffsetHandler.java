package io.spool.coordinator;

import static io.spool.coordinator.CoordinatorRecordSerde.OffsetValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.Errors;

/**
 * TxnOffsetCommit (KIP-98, KIP-447) and the end of the transactions it takes part in. The offsets are written as one
 * transactional batch of the producer; once durable they are pending in {@link PendingTxnOffsets} (invisible to
 * OffsetFetch, UNSTABLE_OFFSET_COMMIT to a {@code requireStable} fetch) until the producer's COMMIT marker makes them
 * committed or its ABORT marker drops them. Called under the coordinator lock.
 */
final class TxnOffsetHandler {

    private final CoordinatorContext ctx;

    TxnOffsetHandler(CoordinatorContext ctx) {
        this.ctx = ctx;
    }

    /**
     * TxnOffsetCommit v0-6 for a loaded shard. Group-level errors, applied to every partition: GROUP_ID_NOT_FOUND
     * (v6+, a generation given for an unknown group; ILLEGAL_GENERATION before), ILLEGAL_GENERATION (a wrong
     * generation, or a wrong member epoch before v6), STALE_MEMBER_EPOCH (v6+, a wrong member epoch),
     * UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, COORDINATOR_NOT_AVAILABLE (a dead group); per partition:
     * UNKNOWN_TOPIC_ID (v6+), OFFSET_METADATA_TOO_LARGE; and the mapped error of a failed append. Topic names (v0-5)
     * are not checked, as for OffsetCommit before v10.
     */
    void commit(CoordinatorShard shard, TxnOffsetCommitRequestData req, short version,
                Consumer<TxnOffsetCommitResponseData> respond) {
        Group group = shard.groups.get(req.groupId());
        Errors groupError = Errors.NONE;
        if (group == null) {
            // a producer outside group management, or the admin client: commits to a simple group, as OffsetCommit
            if (req.generationIdOrMemberEpoch() >= 0) {
                groupError = version >= 6 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION;
            }
        } else if (group instanceof ClassicGroup g) {
            groupError = validateClassic(g, req);
        } else {
            groupError = ((ConsumerGroup) group).validateTxnOffsetCommit(req.memberId(), req.groupInstanceId(),
                req.generationIdOrMemberEpoch());
            if (groupError == Errors.STALE_MEMBER_EPOCH && version < 6) {
                groupError = Errors.ILLEGAL_GENERATION; // what older clients know (KIP-1319 added the real error)
            }
        }
        if (groupError != Errors.NONE) {
            respond.accept(errorResponse(req, groupError));
            return;
        }
        Batch batch = batchOf(req, version >= 6 ? ctx.topics.get() : null);
        if (batch.written.isEmpty()) {
            ctx.append(shard, List.of(), e -> respond.accept(batch.response));
            return;
        }
        ClassicGroup created = null;
        if (group == null) {
            created = new ClassicGroup(req.groupId(), ctx.now());
            shard.groups.put(req.groupId(), created);
            // The group itself is not transactional: it stays whether the transaction commits or aborts. Should its
            // append fail, the transactional one after it fails too (the log has no holes) and answers the client.
            ctx.append(shard, List.of(CoordinatorRecordSerde.groupMetadata(req.groupId(), created.toValue())),
                e -> { });
        }
        batch.written.forEach(tp -> shard.offsets.addPending(req.groupId(), tp));
        shard.txnOffsets.beginWrite(req.producerId());
        ClassicGroup createdGroup = created;
        ctx.appendTransactional(shard, req.producerId(), req.producerEpoch(), batch.records,
            error -> onWritten(shard, req, batch, createdGroup, error, respond));
    }

    private void onWritten(CoordinatorShard shard, TxnOffsetCommitRequestData req, Batch batch,
                           ClassicGroup createdGroup, Errors error, Consumer<TxnOffsetCommitResponseData> respond) {
        String groupId = req.groupId();
        for (int i = 0; i < batch.written.size(); i++) {
            shard.offsets.removePending(groupId, batch.written.get(i));
            if (error == Errors.NONE) {
                shard.txnOffsets.put(req.producerId(), groupId, batch.written.get(i), batch.values.get(i));
            } else {
                batch.writtenResponses.get(i).setErrorCode(error.code());
            }
        }
        if (error != Errors.NONE && createdGroup != null && shard.groups.get(groupId) == createdGroup
            && createdGroup.isEmpty() && shard.offsets.offsets(groupId).isEmpty()
            && !shard.offsets.hasPending(groupId) && !shard.txnOffsets.hasPending(groupId)) {
            shard.groups.remove(groupId);
        }
        Boolean deferredEnd = shard.txnOffsets.endWrite(req.producerId());
        if (deferredEnd != null) {
            complete(shard, req.producerId(), deferredEnd);
        }
        respond.accept(batch.response);
    }

    /** The records to write and the response to fill, partitions with too large metadata already answered. */
    private record Batch(TxnOffsetCommitResponseData response, List<CoordinatorRecord> records,
                         List<TopicPartition> written, List<OffsetValue> values,
                         List<TxnOffsetCommitResponsePartition> writtenResponses) {
    }

    /** @param topics to resolve topic ids (v6+), null when topics are named */
    private Batch batchOf(TxnOffsetCommitRequestData req, TopicsMetadata topics) {
        Batch b = new Batch(new TxnOffsetCommitResponseData(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
            new ArrayList<>());
        long now = ctx.now();
        for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic t : req.topics()) {
            TxnOffsetCommitResponseTopic rt = new TxnOffsetCommitResponseTopic().setName(t.name())
                .setTopicId(t.topicId());
            b.response.topics().add(rt);
            String name = t.name();
            if (topics != null) {
                TopicInfo info = topics.byId(t.topicId());
                name = info == null ? null : info.name();
            }
            for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p : t.partitions()) {
                TxnOffsetCommitResponsePartition rp = new TxnOffsetCommitResponsePartition()
                    .setPartitionIndex(p.partitionIndex());
                rt.partitions().add(rp);
                String metadata = p.committedMetadata() == null ? "" : p.committedMetadata();
                if (name == null) {
                    rp.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
                    continue;
                }
                if (metadata.length() > ctx.config.offsetMetadataMaxBytes()) {
                    rp.setErrorCode(Errors.OFFSET_METADATA_TOO_LARGE.code());
                    continue;
                }
                OffsetValue v = new OffsetValue(p.committedOffset(), p.committedLeaderEpoch(), metadata, now);
                b.records.add(CoordinatorRecordSerde.offsetCommit(req.groupId(), name, p.partitionIndex(), v));
                b.written.add(new TopicPartition(name, p.partitionIndex()));
                b.values.add(v);
                b.writtenResponses.add(rp);
            }
        }
        return b;
    }

    /**
     * Member, generation and instance id are optional for a transactional commit (a producer may commit for a group
     * it does not belong to) and checked only when one is given. Unlike OffsetCommit, a commit without them is
     * accepted by a group with members, and a rebalance in progress does not reject it.
     */
    private static Errors validateClassic(ClassicGroup g, TxnOffsetCommitRequestData req) {
        return g.validateCommitter(req.generationIdOrMemberEpoch(), req.memberId(), req.groupInstanceId(), true);
    }

    static TxnOffsetCommitResponseData errorResponse(TxnOffsetCommitRequestData req, Errors error) {
        TxnOffsetCommitResponseData response = new TxnOffsetCommitResponseData();
        for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic t : req.topics()) {
            TxnOffsetCommitResponseTopic rt = new TxnOffsetCommitResponseTopic().setName(t.name())
                .setTopicId(t.topicId());
            for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p : t.partitions()) {
                rt.partitions().add(new TxnOffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex())
                    .setErrorCode(error.code()));
            }
            response.topics().add(rt);
        }
        return response;
    }

    /**
     * The producer's COMMIT or ABORT marker is durable in this shard's partition: on commit its pending offsets
     * replace the committed ones (the marker's position in the log decides, as when loading), on abort they are
     * dropped. While the shard is loading the end is queued and applied once loaded; while a write of the producer
     * is in flight, it is applied once that write lands.
     */
    void complete(CoordinatorShard shard, long producerId, boolean commit) {
        if (shard.loading) {
            shard.txnEndsWhileLoading.add(new CoordinatorShard.TxnEnd(producerId, commit));
            return;
        }
        if (shard.txnOffsets.tryDeferEnd(producerId, commit)) {
            return;
        }
        Map<String, Map<TopicPartition, OffsetValue>> offsets = shard.txnOffsets.remove(producerId);
        if (commit) {
            offsets.forEach((group, byPartition) -> byPartition.forEach((tp, v) -> shard.offsets.put(group, tp, v)));
        }
    }
}
