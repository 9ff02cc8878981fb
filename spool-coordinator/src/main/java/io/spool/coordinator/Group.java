package io.spool.coordinator;

/** A group of either protocol, as ListGroups, DeleteGroups and offset retention see it. */
sealed interface Group permits ClassicGroup, ConsumerGroup {

    String groupId();

    /** "classic" or "consumer", as ListGroups v5 names the types. */
    String type();

    /** The state as DescribeGroups and ListGroups show it. */
    String stateName();

    /** The protocol type ListGroups reports. */
    String protocolType();

    boolean isEmpty();

    /** The group's state as a record value, for persisting it. */
    CoordinatorRecordSerde.GroupValue toValue();
}
