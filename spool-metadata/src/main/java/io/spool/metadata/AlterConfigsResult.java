package io.spool.metadata;

import org.apache.kafka.common.protocol.Errors;

/** The outcome of altering one resource's configs; {@code message} null on success. */
public record AlterConfigsResult(ConfigResourceId resource, Errors error, String message) {
    static AlterConfigsResult ok(ConfigResourceId resource) {
        return new AlterConfigsResult(resource, Errors.NONE, null);
    }

    static AlterConfigsResult error(ConfigResourceId resource, Errors error, String message) {
        return new AlterConfigsResult(resource, error, message);
    }
}
