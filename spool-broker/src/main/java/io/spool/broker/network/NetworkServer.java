package io.spool.broker.network;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.spool.protocol.KafkaFrameDecoder;
import io.spool.protocol.RequestDecoder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Kafka-protocol listeners of a node, on Netty. NIO transport: a file region goes out through
 * FileChannel.transferTo to the socket, which the JDK turns into sendfile. Lifecycle methods are called by the
 * server's start/stop thread.
 *
 * <p>A listener is bound first and accepts connections only once {@link #startAccepting} is called, when the node
 * is ready to serve (a broker: registered and unfenced), as Apache Kafka's broker opens its listener sockets early
 * and processes requests only at the end of its start-up. Until then clients' connections wait in the socket's
 * backlog, and none is answered by a node that does not yet know it is part of the cluster.
 */
public final class NetworkServer implements AutoCloseable {
    /** Settings of the network layer, from the server configuration. */
    public record Settings(int threads, int maxFrameBytes, long maxInflightBytes, long idleTimeoutMs,
            int maxConnections, int maxConnectionsPerIp) {
    }

    private final Settings settings;
    private final RequestDispatcher dispatcher;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final InflightMemory memory;
    private final ConnectionLimiter limiter;
    private final List<Channel> serverChannels = new ArrayList<>();
    private final Map<String, Integer> boundPorts = new HashMap<>();
    private boolean accepting;

    public NetworkServer(Settings settings, RequestDispatcher dispatcher) {
        this.settings = settings;
        this.dispatcher = dispatcher;
        this.bossGroup = new NioEventLoopGroup(1, new DefaultThreadFactory("spool-accept", true));
        this.workerGroup = new NioEventLoopGroup(settings.threads(), new DefaultThreadFactory("spool-network", true));
        this.memory = new InflightMemory(settings.maxInflightBytes());
        this.limiter = new ConnectionLimiter(settings.maxConnections(), settings.maxConnectionsPerIp());
    }

    /** Binds a listener and returns the port it bound. */
    public int bind(String listenerName, String host, int port) throws InterruptedException {
        RequestDecoder decoder = new RequestDecoder(dispatcher.supportedApis());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, accepting)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!limiter.tryOpen(ch)) {
                            ch.close();
                            return;
                        }
                        ch.pipeline().addLast("idle",
                                new IdleStateHandler(0, 0, settings.idleTimeoutMs(), TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("frames", new KafkaFrameDecoder(settings.maxFrameBytes()));
                        ch.pipeline().addLast("requests",
                                new ConnectionHandler(listenerName, decoder, dispatcher, memory));
                    }
                });
        InetSocketAddress address = host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        Channel channel = bootstrap.bind(address).sync().channel();
        serverChannels.add(channel);
        int bound = ((InetSocketAddress) channel.localAddress()).getPort();
        boundPorts.put(listenerName, bound);
        return bound;
    }

    /** Starts accepting connections on every listener bound so far and on those bound later. */
    public void startAccepting() {
        accepting = true;
        for (Channel channel : serverChannels) {
            // Netty starts reading (accepting, for a listener) when auto-read is turned on.
            channel.config().setAutoRead(true);
        }
    }

    public Integer boundPort(String listenerName) {
        return boundPorts.get(listenerName);
    }

    /** Stops accepting, closes every connection and stops the event loops. */
    @Override
    public void close() {
        for (Channel channel : serverChannels) {
            channel.close().syncUninterruptibly();
        }
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
