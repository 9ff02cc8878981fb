package io.spool.broker.fetch;

import org.apache.kafka.common.Uuid;

/**
 * A partition as a fetch request names it: by topic id from Fetch v13 on (name null), by name before (id zero).
 * Sessions key their partitions by this, so a topic recreated under the same name is a different partition.
 */
record FetchKey(Uuid topicId, String topic, int partition) {
}
