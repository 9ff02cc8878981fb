package io.spool.metadata;

import java.util.List;

import org.apache.kafka.common.protocol.Errors;

/**
 * What a controller operation decided for one partition: an error with its message, or {@code NONE} with the
 * records to append (none when nothing changes). Immutable.
 */
record PartitionOutcome(Errors error, String message, List<MetadataRecord> records) {

    PartitionOutcome {
        records = List.copyOf(records);
    }

    static PartitionOutcome failed(Errors error, String message) {
        return new PartitionOutcome(error, message, List.of());
    }

    static PartitionOutcome changed(List<MetadataRecord> records) {
        return new PartitionOutcome(Errors.NONE, null, records);
    }

    boolean failed() {
        return error != Errors.NONE;
    }
}
