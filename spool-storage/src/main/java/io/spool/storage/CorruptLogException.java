package io.spool.storage;

/**
 * Data that was once durable no longer reads back as valid record batches (a bad CRC or broken framing in the
 * middle of the log, not at its torn tail). Never skipped silently: the partition cannot be served until an
 * operator intervenes.
 */
public class CorruptLogException extends StorageException {

    public CorruptLogException(String message) {
        super(message);
    }

    public CorruptLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
