package io.spool.metadata;

import java.util.Map;

/**
 * The metadata quorum as its leader sees it, for DescribeQuorum: the leader, its term (Kafka's leader epoch of the
 * metadata log), the commit index (the high watermark) and how far each voter's log is known to be committed.
 */
public record QuorumState(int leaderId, long term, long commitIndex, Map<Integer, Long> voterOffsets) {
    public QuorumState {
        voterOffsets = Map.copyOf(voterOffsets);
    }
}
