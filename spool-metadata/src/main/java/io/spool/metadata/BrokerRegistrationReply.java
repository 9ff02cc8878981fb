package io.spool.metadata;

import org.apache.kafka.common.protocol.Errors;

/** The controller's answer to a broker registration: the error, and the broker's new epoch (-1 on error). */
public record BrokerRegistrationReply(Errors error, long brokerEpoch) {
    static BrokerRegistrationReply failed(Errors error) {
        return new BrokerRegistrationReply(error, -1);
    }
}
