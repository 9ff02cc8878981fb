package io.spool.coordinator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.protocol.Errors;

/**
 * DeleteGroups: an empty group is deleted with its offsets (tombstones for each, then the group's), and answers once
 * that is durable. Errors per group: INVALID_GROUP_ID, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
 * GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP (members, or offsets of an open transaction), or the mapped append error.
 * Called under the coordinator lock.
 */
final class GroupDeletion {

    private final CoordinatorContext ctx;
    private final BiFunction<String, Errors[], CoordinatorShard> route;

    GroupDeletion(CoordinatorContext ctx, BiFunction<String, Errors[], CoordinatorShard> route) {
        this.ctx = ctx;
        this.route = route;
    }

    void delete(DeleteGroupsRequestData req, CompletableFuture<DeleteGroupsResponseData> f) {
        DeleteGroupsResponseData response = new DeleteGroupsResponseData();
        List<DeletableGroupResult> results = new ArrayList<>();
        int[] outstanding = {1};
        Runnable done = () -> {
            if (--outstanding[0] == 0) {
                results.forEach(r -> response.results().add(r));
                f.complete(response);
            }
        };
        for (String groupId : req.groupsNames()) {
            DeletableGroupResult result = new DeletableGroupResult().setGroupId(groupId);
            if (results.stream().anyMatch(r -> r.groupId().equals(groupId))) {
                continue;
            }
            results.add(result);
            Errors[] error = {Errors.INVALID_GROUP_ID};
            CoordinatorShard shard = groupId == null || groupId.isEmpty() ? null : route.apply(groupId, error);
            if (shard == null) {
                result.setErrorCode(error[0].code());
                continue;
            }
            Group group = shard.groups.get(groupId);
            if (group == null || group instanceof ClassicGroup c && c.isIn(ClassicGroupState.DEAD)) {
                result.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code());
                continue;
            }
            // Offsets of an open transaction would come back when it commits (the loader puts them at the marker),
            // so a group that has some is not deleted until the transaction ends.
            if (!group.isEmpty() || shard.txnOffsets.hasPending(groupId)) {
                result.setErrorCode(Errors.NON_EMPTY_GROUP.code());
                continue;
            }
            List<CoordinatorRecord> records = new ArrayList<>();
            shard.offsets.offsets(groupId).keySet().forEach(tp -> records.add(
                CoordinatorRecordSerde.offsetCommit(groupId, tp.topic(), tp.partition(), null)));
            records.add(CoordinatorRecordSerde.groupMetadata(groupId, null));
            outstanding[0]++;
            ctx.append(shard, records, e -> {
                if (e == Errors.NONE) {
                    if (shard.groups.get(groupId) == group) {
                        shard.groups.remove(groupId);
                        if (group instanceof ClassicGroup c) {
                            c.transitionTo(ClassicGroupState.DEAD, ctx.now());
                        }
                    }
                    shard.offsets.removeGroup(groupId);
                }
                result.setErrorCode(e.code());
                done.run();
            });
        }
        done.run();
    }
}
