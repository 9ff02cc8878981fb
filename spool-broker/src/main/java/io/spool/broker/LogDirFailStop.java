package io.spool.broker;

import io.spool.storage.LogDirFailureHandler;
import io.spool.storage.StorageException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the node process at once when a log directory fails (disk full, read-only, I/O error), without a controlled
 * shutdown: the logs may end in a torn write that only recovery at the next start may judge, and a node that keeps
 * leading partitions it cannot write would hold them hostage (producers retry KAFKA_STORAGE_ERROR against it for
 * ever). Its broker session then expires, the controller fences it and elects other leaders from the ISR; once the
 * disk has room again, a restart recovers the logs and the node catches up as a follower. Apache Kafka does the same
 * when its last online log directory fails; Spool stops on the first failed directory, since it does not yet move
 * partitions off one failed directory of several.
 */
final class LogDirFailStop implements LogDirFailureHandler {
    private static final Logger LOG = LoggerFactory.getLogger(LogDirFailStop.class);
    /** The exit status of a node stopped by a failed log directory, as Kafka's halt. */
    static final int EXIT_STATUS = 1;

    @Override
    public void onLogDirFailure(Path logDir, StorageException cause) {
        LOG.error("Log directory {} failed; stopping this node now (restart it once the directory works again)",
                logDir, cause);
        System.err.println("spool: log directory " + logDir + " failed (" + cause.getMessage() + "); stopping");
        System.err.flush();
        Runtime.getRuntime().halt(EXIT_STATUS);
    }
}
