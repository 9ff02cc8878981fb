package io.spool.broker.handler;

import io.spool.broker.ServerConfig;
import io.spool.broker.replica.ReplicaManager;
import io.spool.metadata.Controller;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.MetadataQuorum;
import java.time.Clock;

/** What request handlers share: this node's identity and configuration, the metadata and the replicas. Immutable. */
public record BrokerContext(ServerConfig config, String clusterId, MetadataQuorum quorum, Controller controller,
        ReplicaManager replicas, Clock clock) {

    public int nodeId() {
        return config.nodeId();
    }

    public MetadataImage image() {
        return quorum.image();
    }
}
