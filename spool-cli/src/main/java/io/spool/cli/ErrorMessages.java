package io.spool.cli;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.Errors;

/** Turns a failure into the one line a user reads on stderr, and the exit code that goes with it. Stateless. */
final class ErrorMessages {
    private ErrorMessages() {
    }

    /** The failure a client future or call reported, without the wrappers concurrency adds. */
    static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof ExecutionException || current instanceof CompletionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    static int exitCode(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof CliException e) {
            return e.exitCode();
        }
        return cause instanceof ConfigException ? SpoolCli.EXIT_USAGE : SpoolCli.EXIT_FAILED;
    }

    static String describe(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof CliException) {
            return cause.getMessage();
        }
        if (cause instanceof ConfigException) {
            return "Invalid client configuration: " + text(cause);
        }
        if (cause instanceof TimeoutException) {
            return "Timed out: " + text(cause) + " (is a broker running at the bootstrap server?)";
        }
        return text(cause);
    }

    /** Like {@link #describe} but names the topic when the broker says it does not exist. */
    static String describeForTopic(String topic, Throwable t) {
        if (unwrap(t) instanceof UnknownTopicOrPartitionException) {
            return "Topic '" + topic + "' does not exist";
        }
        return describe(t);
    }

    /**
     * Like {@link #describeForTopic} but, for an error the broker returned, also names its Kafka error code, e.g.
     * {@code INVALID_PARTITIONS: Topic already has 3 partition(s).}
     */
    static String describeWithCode(String topic, Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof UnknownTopicOrPartitionException || !(cause instanceof ApiException)) {
            return describeForTopic(topic, t);
        }
        return Errors.forException(cause).name() + ": " + text(cause);
    }

    /** The exception's message, or its type when it has none. */
    static String text(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message.strip();
    }
}
