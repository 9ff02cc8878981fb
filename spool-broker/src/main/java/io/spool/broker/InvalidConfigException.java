package io.spool.broker;

/** A server setting that is unknown or has an invalid value; the message names the setting and why. */
public final class InvalidConfigException extends RuntimeException {
    public InvalidConfigException(String message) {
        super(message);
    }
}
