package io.spool.storage;

import java.nio.file.Path;

/**
 * What the node does when a log directory fails: a write, fsync, roll or checkpoint of a log in it raised an I/O
 * error (disk full, a read-only remount, a vanished or failing device). After such an error the files of the
 * directory may end in a torn write, and nothing served from it afterwards can be trusted to be durable; Apache
 * Kafka takes the directory offline, and stops the broker when it was the last one. Called on the thread that met
 * the error, possibly more than once for one directory; must not block.
 */
@FunctionalInterface
public interface LogDirFailureHandler {
    void onLogDirFailure(Path logDir, StorageException cause);
}
