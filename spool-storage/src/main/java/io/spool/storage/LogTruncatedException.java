package io.spool.storage;

/**
 * The log was truncated (it became a follower whose history diverged) while a caller waited for offsets that may
 * now hold other records: the write it waited for is no longer known to be in the log. Not an I/O failure, so not a
 * {@link StorageException}: the log stays online; a produce waiting on it answers as a deposed leader would.
 */
public class LogTruncatedException extends RuntimeException {

    public LogTruncatedException(String message) {
        super(message);
    }
}
