package io.spool.bench.compare;

import java.io.IOException;
import java.util.Map;

/** A broker process under test, on free loopback ports, with its data under a fresh directory. One owner thread. */
interface Broker {
    /** Work before the launch that start-up time leaves out (Kafka's storage formatting); its timings. */
    Map<Metric, Double> prepare() throws IOException, InterruptedException;

    /** Starts the process and returns without waiting for it to serve. */
    void launch() throws IOException;

    int port();

    default String bootstrap() {
        return "127.0.0.1:" + port();
    }

    /** Process id of the broker's JVM. */
    long pid();

    boolean isAlive();

    /** Stops the process cleanly (SIGTERM) and waits for it. */
    void stop() throws InterruptedException;
}
