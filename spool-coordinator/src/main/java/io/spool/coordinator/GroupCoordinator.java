package io.spool.coordinator;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;

/**
 * The group coordinator: consumer groups of both protocols (classic JoinGroup/SyncGroup and KIP-848) and their
 * committed offsets, as a deterministic state machine over the records of {@code __consumer_offsets}. It knows
 * nothing of networking or storage: the broker hands it decoded requests and gives it a {@link CoordinatorRecordLog},
 * a {@link CoordinatorTimer}, a clock, randomness and the topics.
 *
 * <p>A group lives in the shard of its partition ({@link #partitionFor}); the broker loads a shard when it becomes
 * leader of that partition and unloads it when it stops being leader. Requests for a group whose shard is loading get
 * COORDINATOR_LOAD_IN_PROGRESS, for one not loaded here NOT_COORDINATOR.
 *
 * <p>Thread safety: every method may be called from any thread. One lock serializes all of the coordinator's state;
 * it is never held while waiting (waits are futures completed by events or the timer). Response futures may be
 * completed while the lock is held, so their dependents must not block.
 */
public final class GroupCoordinator {

    private final CoordinatorContext ctx;
    private final OffsetHandler offsets;
    private final OffsetFetchHandler offsetFetch;
    private final TxnOffsetHandler txnOffsets;
    private final ClassicGroupHandler joins;
    private final ClassicSyncHandler syncs;
    private final GroupAdminHandler admin;
    private final ConsumerGroupHandler consumer;
    private final GroupLoader loader;

    public GroupCoordinator(GroupCoordinatorConfig config, CoordinatorRecordLog log, CoordinatorTimer timer,
                            Clock clock, Random random, Supplier<TopicsMetadata> topics) {
        this.ctx = new CoordinatorContext(config, log, timer, clock, random, topics, new HashMap<>());
        this.offsets = new OffsetHandler(ctx);
        this.offsetFetch = new OffsetFetchHandler(ctx);
        this.txnOffsets = new TxnOffsetHandler(ctx);
        this.joins = new ClassicGroupHandler(ctx);
        this.syncs = new ClassicSyncHandler(ctx, joins);
        this.admin = new GroupAdminHandler(ctx);
        this.consumer = new ConsumerGroupHandler(ctx);
        this.loader = new GroupLoader(ctx, joins, consumer);
    }

    /** The partition of {@code __consumer_offsets} that holds a group, as Kafka computes it. */
    public static int partitionFor(String groupId, int numPartitions) {
        return Utils.abs(groupId.hashCode()) % numPartitions;
    }

    public int partitionFor(String groupId) {
        return partitionFor(groupId, ctx.config.offsetsTopicPartitions());
    }

    /**
     * Rebuilds a shard by replaying its records (later records win, tombstones delete); requests for its groups get
     * COORDINATOR_LOAD_IN_PROGRESS meanwhile. Replays without the lock, so it may take long.
     *
     * @throws CorruptCoordinatorRecordException when a record does not decode; the partition is then not loaded
     */
    public void loadPartition(int partition, Iterable<CoordinatorRecord> records) {
        loader.load(partition, records, Map.of(), txnOffsets);
    }

    /**
     * As {@link #loadPartition(int, Iterable)} for a partition with transactional batches, which the caller resolves:
     * {@code records} holds the plain records and those of committed transactions (each at its COMMIT marker's
     * position, aborted ones left out); {@code pendingTransactional} holds, per producer id, the records of its
     * transaction that has no marker yet, in log order. They become that producer's pending offsets, as after
     * {@link #txnCommitOffsets}. A {@link #completeTransaction} for this partition during the load is applied after
     * it, so the caller must report only markers past what it read.
     *
     * @throws CorruptCoordinatorRecordException when a record does not decode, or an open transaction holds a record
     *     other than an offset commit; the partition is then not loaded
     */
    public void loadPartition(int partition, Iterable<CoordinatorRecord> records,
                              Map<Long, List<CoordinatorRecord>> pendingTransactional) {
        loader.load(partition, records, pendingTransactional, txnOffsets);
    }

    /** Drops a shard: its timers stop, waiting requests and later append callbacks answer NOT_COORDINATOR. */
    public void unloadPartition(int partition) {
        ctx.locked(() -> loader.unload(partition));
    }

    public boolean isLoaded(int partition) {
        ctx.lock.lock();
        try {
            CoordinatorShard s = ctx.shards.get(partition);
            return s != null && !s.loading;
        } finally {
            ctx.lock.unlock();
        }
    }

    /** @return the group's shard when it is loaded, else null with the error in {@code error[0]} */
    private CoordinatorShard route(String groupId, Errors[] error) {
        CoordinatorShard shard = ctx.shards.get(partitionFor(groupId));
        if (shard == null) {
            error[0] = Errors.NOT_COORDINATOR;
            return null;
        }
        if (shard.loading) {
            error[0] = Errors.COORDINATOR_LOAD_IN_PROGRESS;
            return null;
        }
        return shard;
    }

    private static boolean isEmptyId(String groupId) {
        return groupId == null || groupId.isEmpty();
    }

    /** JoinGroup v0-9; adds INVALID_GROUP_ID and INVALID_SESSION_TIMEOUT to the errors of the join itself. */
    public CompletableFuture<JoinGroupResponseData> joinGroup(JoinGroupRequestData req, short version,
                                                              String clientId, String clientHost) {
        CompletableFuture<JoinGroupResponseData> f = new CompletableFuture<>();
        ctx.locked(() -> {
            if (isEmptyId(req.groupId())) {
                f.complete(ClassicGroupHandler.joinError(req.memberId(), Errors.INVALID_GROUP_ID));
                return;
            }
            if (req.sessionTimeoutMs() < ctx.config.classicMinSessionTimeoutMs()
                || req.sessionTimeoutMs() > ctx.config.classicMaxSessionTimeoutMs()) {
                f.complete(ClassicGroupHandler.joinError(req.memberId(), Errors.INVALID_SESSION_TIMEOUT));
                return;
            }
            Errors[] error = {Errors.NONE};
            CoordinatorShard shard = route(req.groupId(), error);
            if (shard == null) {
                f.complete(ClassicGroupHandler.joinError(req.memberId(), error[0]));
                return;
            }
            joins.join(shard, req, version, clientId, clientHost, f);
        });
        return f;
    }

    public CompletableFuture<SyncGroupResponseData> syncGroup(SyncGroupRequestData req, short version,
                                                              String clientId, String clientHost) {
        CompletableFuture<SyncGroupResponseData> f = new CompletableFuture<>();
        ctx.locked(() -> {
            Errors[] error = {Errors.INVALID_GROUP_ID};
            CoordinatorShard shard = isEmptyId(req.groupId()) ? null : route(req.groupId(), error);
            if (shard == null) {
                f.complete(new SyncGroupResponseData().setErrorCode(error[0].code()));
                return;
            }
            syncs.sync(shard, req, f);
        });
        return f;
    }

    public CompletableFuture<HeartbeatResponseData> heartbeat(HeartbeatRequestData req, short version,
                                                              String clientId, String clientHost) {
        CompletableFuture<HeartbeatResponseData> f = new CompletableFuture<>();
        ctx.locked(() -> {
            Errors[] error = {Errors.INVALID_GROUP_ID};
            CoordinatorShard shard = isEmptyId(req.groupId()) ? null : route(req.groupId(), error);
            f.complete(shard == null ? new HeartbeatResponseData().setErrorCode(error[0].code())
                : syncs.heartbeat(shard, req));
        });
        return f;
    }

    /** LeaveGroup v0-5; for v0-2 the single member's error is the top-level error. */
    public CompletableFuture<LeaveGroupResponseData> leaveGroup(LeaveGroupRequestData req, short version,
                                                                String clientId, String clientHost) {
        CompletableFuture<LeaveGroupResponseData> f = new CompletableFuture<>();
        ctx.locked(() -> {
            List<LeaveGroupRequestData.MemberIdentity> members = version >= 3 ? req.members()
                : List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(req.memberId()));
            Errors[] error = {Errors.INVALID_GROUP_ID};
            CoordinatorShard shard = isEmptyId(req.groupId()) ? null : route(req.groupId(), error);
            LeaveGroupResponseData r = shard == null ? new LeaveGroupResponseData().setErrorCode(error[0].code())
                : syncs.leave(shard, req.groupId(), members);
            if (version < 3) {
                // Before v3 the response has no member list: it cannot be written, only folded into the error.
                if (r.errorCode() == 0 && !r.members().isEmpty()) {
                    r.setErrorCode(r.members().get(0).errorCode());
                }
                r.setMembers(new java.util.ArrayList<>());
            }
            f.complete(r);
        });
        return f;
    }

    public CompletableFuture<OffsetCommitResponseData> commitOffsets(OffsetCommitRequestData req, short version) {
        CompletableFuture<OffsetCommitResponseData> f = new CompletableFuture<>();
        ctx.locked(() -> {
            Errors[] error = {Errors.INVALID_GROUP_ID};
            CoordinatorShard shard = isEmptyId(req.groupId()) ? null : route(req.groupId(), error);
            if (shard == null) {
                f.complete(OffsetHandler.errorResponse(req, version, error[0]));
                return;
            }
            offsets.commit(shard, req, version, f::complete);
        });
        return f;
    }

    /**
     * TxnOffsetCommit v0-6: the offsets are written as one transactional batch of the request's producer and, once
     * durable, are pending until {@link #completeTransaction}. Errors, for every partition: INVALID_GROUP_ID,
     * NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, and those of {@link TxnOffsetHandler#commit}. The broker checks
     * authorization and (KIP-890) that the partition was added to the transaction before calling this.
     */
    public CompletableFuture<TxnOffsetCommitResponseData> txnCommitOffsets(TxnOffsetCommitRequestData req,
                                                                           short version) {
        CompletableFuture<TxnOffsetCommitResponseData> f = new CompletableFuture<>();
        ctx.locked(() -> {
            Errors[] error = {Errors.INVALID_GROUP_ID};
            CoordinatorShard shard = isEmptyId(req.groupId()) ? null : route(req.groupId(), error);
            if (shard == null) {
                f.complete(TxnOffsetHandler.errorResponse(req, error[0]));
                return;
            }
            txnOffsets.commit(shard, req, version, f::complete);
        });
        return f;
    }

    /** A TxnOffsetCommit answer giving {@code error} for every partition of {@code req}. */
    public static TxnOffsetCommitResponseData txnCommitOffsetsError(TxnOffsetCommitRequestData req, Errors error) {
        return TxnOffsetHandler.errorResponse(req, error);
    }

    /**
     * The broker appended the producer's COMMIT ({@code commit}) or ABORT marker to {@code __consumer_offsets-<p>}
     * and it is durable: the producer's pending offsets in that partition become committed, replacing older
     * committed offsets, or are dropped. Does nothing for a partition not loaded here or a producer without pending
     * offsets; during a load it is applied once the load ends.
     */
    public void completeTransaction(int partition, long producerId, boolean commit) {
        ctx.locked(() -> {
            CoordinatorShard shard = ctx.shards.get(partition);
            if (shard != null) {
                txnOffsets.complete(shard, producerId, commit);
            }
        });
    }

    /** OffsetFetch v1-10, one or (v8+) several groups; answered from durable offsets only. */
    public CompletableFuture<OffsetFetchResponseData> fetchOffsets(OffsetFetchRequestData req, short version) {
        CompletableFuture<OffsetFetchResponseData> f = new CompletableFuture<>();
        ctx.locked(() -> {
            List<OffsetFetchResponseData.OffsetFetchResponseGroup> groups = new ArrayList<>();
            for (OffsetFetchRequestData.OffsetFetchRequestGroup g : OffsetFetchHandler.groupsOf(req, version)) {
                Errors[] error = {Errors.INVALID_GROUP_ID};
                CoordinatorShard shard = isEmptyId(g.groupId()) ? null : route(g.groupId(), error);
                groups.add(shard == null ? new OffsetFetchResponseData.OffsetFetchResponseGroup()
                    .setGroupId(g.groupId()).setErrorCode(error[0].code())
                    : offsetFetch.fetch(shard, g, req.requireStable(), version));
            }
            f.complete(version >= 8 ? new OffsetFetchResponseData().setGroups(groups)
                : OffsetFetchVersions.toV0(groups.get(0), OffsetFetchHandler.groupsOf(req, version).get(0), version));
        });
        return f;
    }

    public CompletableFuture<OffsetDeleteResponseData> deleteOffsets(OffsetDeleteRequestData req, short version) {
        CompletableFuture<OffsetDeleteResponseData> f = new CompletableFuture<>();
        ctx.locked(() -> {
            Errors[] error = {Errors.INVALID_GROUP_ID};
            CoordinatorShard shard = isEmptyId(req.groupId()) ? null : route(req.groupId(), error);
            if (shard == null) {
                f.complete(new OffsetDeleteResponseData().setErrorCode(error[0].code()));
                return;
            }
            offsets.delete(shard, req, f::complete);
        });
        return f;
    }

    public CompletableFuture<DescribeGroupsResponseData> describeGroups(DescribeGroupsRequestData req,
                                                                        short version) {
        CompletableFuture<DescribeGroupsResponseData> f = new CompletableFuture<>();
        ctx.locked(() -> {
            DescribeGroupsResponseData r = new DescribeGroupsResponseData();
            for (String groupId : req.groups()) {
                Errors[] error = {Errors.INVALID_GROUP_ID};
                CoordinatorShard shard = groupId == null ? null : route(groupId, error);
                r.groups().add(shard == null ? new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId)
                    .setErrorCode(error[0].code()) : admin.describe(shard, groupId, version));
            }
            f.complete(r);
        });
        return f;
    }

    /** ListGroups v0-5 over every shard loaded here; COORDINATOR_LOAD_IN_PROGRESS while one is loading. */
    public CompletableFuture<ListGroupsResponseData> listGroups(ListGroupsRequestData req, short version) {
        CompletableFuture<ListGroupsResponseData> f = new CompletableFuture<>();
        ctx.locked(() -> {
            ListGroupsResponseData r = new ListGroupsResponseData();
            for (CoordinatorShard shard : ctx.shards.values()) {
                if (shard.loading) {
                    r.setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
                } else {
                    r.groups().addAll(admin.list(shard, version >= 4 ? req.statesFilter() : List.of(),
                        version >= 5 ? req.typesFilter() : List.of()));
                }
            }
            r.groups().sort((a, b) -> a.groupId().compareTo(b.groupId()));
            f.complete(r);
        });
        return f;
    }

    public CompletableFuture<DeleteGroupsResponseData> deleteGroups(DeleteGroupsRequestData req, short version) {
        CompletableFuture<DeleteGroupsResponseData> f = new CompletableFuture<>();
        ctx.locked(() -> new GroupDeletion(ctx, this::route).delete(req, f));
        return f;
    }

    public CompletableFuture<ConsumerGroupHeartbeatResponseData> consumerGroupHeartbeat(
        ConsumerGroupHeartbeatRequestData req, short version, String clientId, String clientHost) {
        CompletableFuture<ConsumerGroupHeartbeatResponseData> f = new CompletableFuture<>();
        ctx.locked(() -> {
            ConsumerGroupHeartbeatResponseData invalid = ConsumerGroupHandler.validate(req);
            if (invalid != null) {
                f.complete(invalid);
                return;
            }
            Errors[] error = {Errors.NONE};
            CoordinatorShard shard = route(req.groupId(), error);
            if (shard == null) {
                f.complete(ConsumerGroupHandler.error(error[0], null));
                return;
            }
            consumer.heartbeat(shard, req, clientId, clientHost, f);
        });
        return f;
    }

    public CompletableFuture<ConsumerGroupDescribeResponseData> consumerGroupDescribe(
        ConsumerGroupDescribeRequestData req, short version) {
        CompletableFuture<ConsumerGroupDescribeResponseData> f = new CompletableFuture<>();
        ctx.locked(() -> {
            ConsumerGroupDescribeResponseData r = new ConsumerGroupDescribeResponseData();
            for (String groupId : req.groupIds()) {
                Errors[] error = {Errors.INVALID_GROUP_ID};
                CoordinatorShard shard = isEmptyId(groupId) ? null : route(groupId, error);
                r.groups().add(shard == null ? new ConsumerGroupDescribeResponseData.DescribedGroup()
                    .setGroupId(groupId).setErrorCode(error[0].code()) : admin.consumerDescribe(shard, groupId));
            }
            f.complete(r);
        });
        return f;
    }

    /**
     * Offset retention ({@code offsets.retention.minutes}): the broker calls this periodically (Kafka:
     * {@code offsets.retention.check.interval.ms}, 10 minutes). Completes with the number of offsets expired.
     */
    public CompletableFuture<Integer> expireOffsets(long nowMs) {
        List<CompletableFuture<Integer>> all = new ArrayList<>();
        ctx.locked(() -> ctx.shards.values().stream().filter(s -> !s.loading)
            .forEach(s -> all.add(offsets.expire(s, nowMs))));
        return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]))
            .thenApply(v -> all.stream().mapToInt(CompletableFuture::join).sum());
    }

    /** A copy of the durable state, for tests and tools: groups (as their record values) and offsets. */
    public CoordinatorSnapshot snapshot() {
        ctx.lock.lock();
        try {
            return CoordinatorSnapshot.of(ctx.shards.values());
        } finally {
            ctx.lock.unlock();
        }
    }
}
