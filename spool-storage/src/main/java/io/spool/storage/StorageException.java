package io.spool.storage;

/** A local I/O failure of the log (disk full, file vanished, ...). Unchecked; the broker marks the log offline. */
public class StorageException extends RuntimeException {

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
