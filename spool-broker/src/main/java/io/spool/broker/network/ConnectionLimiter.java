package io.spool.broker.network;

import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Enforces {@code max.connections} and {@code max.connections.per.ip}: a connection over either limit is closed as
 * soon as it is accepted, as Kafka does. Thread-safe.
 */
final class ConnectionLimiter {
    private final int maxConnections;
    private final int maxPerIp;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perIp = new ConcurrentHashMap<>();

    ConnectionLimiter(int maxConnections, int maxPerIp) {
        this.maxConnections = maxConnections;
        this.maxPerIp = maxPerIp;
    }

    boolean tryOpen(SocketChannel channel) {
        InetAddress address = channel.remoteAddress().getAddress();
        AtomicInteger forIp = perIp.computeIfAbsent(address, a -> new AtomicInteger());
        if (total.incrementAndGet() > maxConnections | forIp.incrementAndGet() > maxPerIp) {
            release(address);
            return false;
        }
        channel.closeFuture().addListener(f -> release(address));
        return true;
    }

    private void release(InetAddress address) {
        total.decrementAndGet();
        perIp.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }
}
