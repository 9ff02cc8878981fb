package io.spool.metadata;

import org.apache.kafka.common.protocol.Errors;

/**
 * The controller's answer to a broker heartbeat: the error, whether the broker is fenced once the heartbeat's
 * changes are committed, and whether it may now shut down (its controlled shutdown is complete).
 */
public record BrokerHeartbeatReply(Errors error, boolean fenced, boolean shouldShutDown) {
    static BrokerHeartbeatReply failed(Errors error) {
        return new BrokerHeartbeatReply(error, true, false);
    }
}
