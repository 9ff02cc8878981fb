package io.spool.broker.network;

import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;

/**
 * Who sent a request: the listener it arrived on and the peer's address, plus the event loop that owns the
 * connection, on which delayed work for it (a long-poll fetch) runs. Immutable.
 */
public record ConnectionInfo(String listenerName, InetSocketAddress remoteAddress, String connectionId,
        EventExecutor executor) {
}
