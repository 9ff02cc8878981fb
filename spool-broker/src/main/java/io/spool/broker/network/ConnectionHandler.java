package io.spool.broker.network;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.buffer.ByteBuf;
import io.netty.handler.timeout.IdleStateEvent;
import io.spool.protocol.InvalidRequestFrameException;
import io.spool.protocol.KafkaRequest;
import io.spool.protocol.RequestDecoder;
import io.spool.protocol.ResponseEncoder;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: decodes frames into requests and serves them in order, so responses leave in request order,
 * as Kafka clients require. A request is served only after every earlier one completed, except that consecutive
 * Produce requests are pipelined: up to {@value #MAX_PIPELINED_PRODUCES} are appended one after another while the
 * earlier ones wait for their fsync, so one group-commit fsync covers the whole pipeline of a producer (appends
 * still happen in request order; responses still leave in order). While requests are being served, reading stops
 * once one more is queued. Nor is the next request served while the outbound buffer is above its high-water mark,
 * so a client that never reads cannot fill the heap with responses. A malformed frame closes the connection and
 * nothing else. Confined to the channel's event loop.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
    private static final int MAX_QUEUED = 1;
    /** Kafka producers keep at most 5 requests in flight per connection by default; leave them all room. */
    static final int MAX_PIPELINED_PRODUCES = 8;

    /** A dispatched request; {@code done} once its handler completed it, in any order. */
    private static final class InFlight {
        final KafkaRequest request;
        boolean done;
        ApiMessage response;
        Throwable error;

        InFlight(KafkaRequest request) {
            this.request = request;
        }
    }

    private final String listenerName;
    private final RequestDecoder decoder;
    private final RequestDispatcher dispatcher;
    private final InflightMemory memory;
    private final ArrayDeque<KafkaRequest> queue = new ArrayDeque<>();
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private ConnectionInfo info;
    private ResponseEncoder encoder;
    private boolean closed;

    ConnectionHandler(String listenerName, RequestDecoder decoder, RequestDispatcher dispatcher,
            InflightMemory memory) {
        this.listenerName = listenerName;
        this.decoder = decoder;
        this.dispatcher = dispatcher;
        this.memory = memory;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        info = new ConnectionInfo(listenerName, remote, ctx.channel().id().asShortText(), ctx.executor());
        encoder = new ResponseEncoder(ctx.alloc());
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        KafkaRequest request = decoder.decode((ByteBuf) msg);
        memory.acquire(request.sizeInBytes());
        queue.add(request);
        if (queue.size() > MAX_QUEUED) {
            ctx.channel().config().setAutoRead(false);
        }
        maybeServeNext(ctx);
    }

    private void maybeServeNext(ChannelHandlerContext ctx) {
        while (!closed) {
            if (!ctx.channel().isWritable()) {
                // The client is not reading its responses: stop reading its requests until it catches up, so
                // unread responses cannot pile up in memory. channelWritabilityChanged resumes.
                ctx.channel().config().setAutoRead(false);
                return;
            }
            KafkaRequest request = queue.peek();
            if (request == null) {
                if (memory.isExhausted()) {
                    ctx.channel().config().setAutoRead(false);
                    ctx.executor().schedule(() -> maybeServeNext(ctx), 10, java.util.concurrent.TimeUnit.MILLISECONDS);
                } else {
                    ctx.channel().config().setAutoRead(true);
                }
                return;
            }
            if (!mayDispatch(request)) {
                return;
            }
            queue.poll();
            if (queue.size() <= MAX_QUEUED && !memory.isExhausted()) {
                ctx.channel().config().setAutoRead(true);
            }
            dispatch(ctx, request);
        }
    }

    /** Nothing overtakes a request in flight, except a Produce behind Produces only. */
    private boolean mayDispatch(KafkaRequest next) {
        if (inFlight.isEmpty()) {
            return true;
        }
        if (next.apiKey() != ApiKeys.PRODUCE || inFlight.size() >= MAX_PIPELINED_PRODUCES) {
            return false;
        }
        for (InFlight f : inFlight) {
            if (f.request.apiKey() != ApiKeys.PRODUCE) {
                return false;
            }
        }
        return true;
    }

    private void dispatch(ChannelHandlerContext ctx, KafkaRequest request) {
        InFlight flight = new InFlight(request);
        inFlight.add(flight);
        CompletionStage<ApiMessage> stage;
        try {
            stage = dispatcher.dispatch(request, info);
        } catch (RuntimeException e) {
            onServed(ctx, flight, null, e);
            return;
        }
        stage.whenComplete((response, error) -> {
            if (ctx.executor().inEventLoop()) {
                onServed(ctx, flight, response, error);
            } else {
                ctx.executor().execute(() -> onServed(ctx, flight, response, error));
            }
        });
    }

    private void onServed(ChannelHandlerContext ctx, InFlight flight, ApiMessage response, Throwable error) {
        assert ctx.executor().inEventLoop();
        flight.done = true;
        flight.response = response;
        flight.error = error;
        boolean wrote = false;
        while (!inFlight.isEmpty() && inFlight.peek().done) {
            InFlight head = inFlight.poll();
            try {
                wrote |= respond(ctx, head);
            } finally {
                memory.release(head.request.sizeInBytes());
                head.request.release();
            }
        }
        if (wrote) {
            ctx.flush();
        }
        maybeServeNext(ctx);
    }

    /** Writes the response of a completed request (not flushed); closes the connection on a failure. */
    private boolean respond(ChannelHandlerContext ctx, InFlight served) {
        if (closed) {
            return false;
        }
        KafkaRequest request = served.request;
        Throwable error = served.error;
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof CloseConnectionException) {
            LOG.debug("Closing connection from {}: {}", info.remoteAddress(), cause.getMessage());
            close(ctx);
            return false;
        }
        if (error != null) {
            LOG.error("Failed to serve {} from {}; closing the connection", request, info.remoteAddress(), error);
            close(ctx);
            return false;
        }
        if (served.response == null) {
            return false;
        }
        List<Object> parts;
        try {
            // KIP-511: a client ahead of us gets the ApiVersions answer in v0, which every version can read.
            short version = request.isUnsupportedApiVersions() ? 0 : request.apiVersion();
            parts = encoder.encode(request.apiKey(), version, request.correlationId(), served.response);
        } catch (RuntimeException e) {
            LOG.error("Cannot encode the response to {}; closing the connection", request, e);
            close(ctx);
            return false;
        }
        for (Object part : parts) {
            ctx.write(part);
        }
        return true;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            maybeServeNext(ctx);
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            LOG.debug("Closing idle connection from {}", info.remoteAddress());
            close(ctx);
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (cause instanceof DecoderException || root instanceof InvalidRequestFrameException) {
            LOG.info("Closing connection from {}: {}", info == null ? "?" : info.remoteAddress(), root.getMessage());
        } else if (root instanceof java.io.IOException) {
            LOG.debug("Connection from {} failed: {}", info == null ? "?" : info.remoteAddress(), root.toString());
        } else {
            LOG.error("Unexpected error on connection from {}", info == null ? "?" : info.remoteAddress(), root);
        }
        close(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        releaseQueued();
        super.channelInactive(ctx);
    }

    private void close(ChannelHandlerContext ctx) {
        closed = true;
        releaseQueued();
        ctx.channel().writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void releaseQueued() {
        KafkaRequest r;
        while ((r = queue.poll()) != null) {
            memory.release(r.sizeInBytes());
            r.release();
        }
    }
}
