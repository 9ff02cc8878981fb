package io.spool.broker.cluster;

import java.util.List;
import org.apache.kafka.common.protocol.ApiKeys;

/** The APIs {@link ControllerApis} answers, which travel to the active controller through {@link ControllerWire}. */
final class ControllerApiKeys {
    static final List<ApiKeys> ALL = List.of(ApiKeys.CREATE_TOPICS, ApiKeys.CREATE_PARTITIONS,
            ApiKeys.DELETE_TOPICS, ApiKeys.BROKER_REGISTRATION, ApiKeys.BROKER_HEARTBEAT, ApiKeys.ALTER_PARTITION,
            ApiKeys.ALLOCATE_PRODUCER_IDS, ApiKeys.DESCRIBE_QUORUM, ApiKeys.ELECT_LEADERS,
            ApiKeys.ALTER_PARTITION_REASSIGNMENTS, ApiKeys.LIST_PARTITION_REASSIGNMENTS,
            ApiKeys.INCREMENTAL_ALTER_CONFIGS, ApiKeys.ALTER_CONFIGS);

    private ControllerApiKeys() {
    }
}
