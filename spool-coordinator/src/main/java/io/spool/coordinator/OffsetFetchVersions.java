package io.spool.coordinator;

import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;

/** Turns the v8+ (per group) OffsetFetch answer into the v1-7 shape. Stateless. */
final class OffsetFetchVersions {

    private OffsetFetchVersions() {
    }

    /**
     * v2-7 carry a group error at the top level; v1 has none, so each requested partition carries it.
     */
    static OffsetFetchResponseData toV0(OffsetFetchResponseGroup group,
                                        OffsetFetchRequestData.OffsetFetchRequestGroup request, short version) {
        OffsetFetchResponseData out = new OffsetFetchResponseData();
        if (version >= 2) {
            out.setErrorCode(group.errorCode());
        }
        if (group.errorCode() != 0) {
            if (version < 2 && request.topics() != null) {
                for (var t : request.topics()) {
                    var rt = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(t.name());
                    for (int p : t.partitionIndexes()) {
                        rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                            .setPartitionIndex(p).setCommittedOffset(-1).setMetadata("")
                            .setErrorCode(group.errorCode()));
                    }
                    out.topics().add(rt);
                }
            }
            return out;
        }
        for (var t : group.topics()) {
            var rt = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(t.name());
            for (var p : t.partitions()) {
                rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                    .setPartitionIndex(p.partitionIndex()).setCommittedOffset(p.committedOffset())
                    .setCommittedLeaderEpoch(p.committedLeaderEpoch()).setMetadata(p.metadata())
                    .setErrorCode(p.errorCode()));
            }
            out.topics().add(rt);
        }
        return out;
    }
}
