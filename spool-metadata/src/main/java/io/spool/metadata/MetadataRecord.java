package io.spool.metadata;

/**
 * One entry of the metadata log. A batch of records is appended atomically and folded, in order, into a
 * {@link MetadataDelta}; the resulting {@link MetadataImage} is what brokers and the controller read.
 *
 * <p>Records are immutable values and safe to share between threads.
 */
public sealed interface MetadataRecord permits TopicRecord, PartitionRecord, RemoveTopicRecord, ConfigRecord,
        ProducerIdsRecord, RegisterBrokerRecord, NoOpRecord, FenceBrokerRecord, UnfenceBrokerRecord,
        PartitionReassignmentRecord {
}
