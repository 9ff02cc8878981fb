package io.spool.bench.compare;

import io.spool.bench.SpoolNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Spool as a user starts it, through {@code bin/spool server} with its defaults, plus the settings a contender
 * overrides (page-cache mode). Its output goes to {@code <dir>/spool.log}. One owner thread.
 */
final class SpoolBroker implements Broker {
    private final SpoolNode node;

    SpoolBroker(Path dir, Contender contender) throws IOException {
        Map<String, String> overrides = contender == Contender.SPOOL_PAGE_CACHE
                ? Map.of("log.flush.on.ack", "false") : Map.of();
        this.node = new SpoolNode(dir, overrides);
    }

    @Override
    public Map<Metric, Double> prepare() {
        return Map.of();
    }

    @Override
    public void launch() throws IOException {
        node.launch();
    }

    @Override
    public int port() {
        return node.port();
    }

    @Override
    public long pid() {
        return node.pid();
    }

    @Override
    public boolean isAlive() {
        return node.isAlive();
    }

    @Override
    public void stop() throws InterruptedException {
        if (node.isAlive()) {
            node.stop();
        }
    }
}
