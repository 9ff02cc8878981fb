package io.spool.metadata;

import org.apache.kafka.common.protocol.Errors;

/** The outcome for one topic name of a CreatePartitions request; {@code message} may be null. */
public record CreatePartitionsResult(String name, Errors error, String message) {

    static CreatePartitionsResult ok(String name) {
        return new CreatePartitionsResult(name, Errors.NONE, null);
    }
}
