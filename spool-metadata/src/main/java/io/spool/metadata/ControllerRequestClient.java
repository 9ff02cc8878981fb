package io.spool.metadata;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * Carries controller requests to the leader of the metadata quorum as Ratis read-only requests, so that they reach a
 * controller wherever it runs (a dedicated controller has no Kafka listener) on the port the quorum already uses.
 * The leader's {@link MetadataStateMachine#query} hands them to its {@link ControllerRequestHandler}; a voter that
 * does not lead refuses them with NotLeaderException (the {@code DEFAULT} read option, see
 * {@link RatisMetadataQuorum}), so a request is served by the leader or by nobody.
 *
 * <p>Each {@link #send} is one attempt at one voter, never retried here: the caller picks the voter from its own view
 * of the quorum and owns the retries and their deadline. An attempt that fails for a reason other than an answer from
 * the server (a refused or broken connection, a timeout) drops the connection to that voter, so the next attempt
 * connects afresh.
 *
 * <p>Threading: Ratis connects to a voter on the thread that first sends to it, blocking it, and closes a connection
 * by waiting for it, which a Netty event loop must not do. So sends and their outcomes run on this client's own
 * threads ({@value #THREADS}, {@code spool-controller-requests}), never the caller's (which may be an event loop)
 * nor Ratis's; the returned futures complete there. Thread-safe.
 */
final class ControllerRequestClient implements AutoCloseable {
    /**
     * How long one attempt may wait for its answer: long enough for a controller operation that waits for a commit on
     * a loaded machine (a retried CreateTopics would answer TOPIC_ALREADY_EXISTS), short enough that a paused leader
     * is given up on while the caller's deadline still allows a retry at its successor.
     */
    static final long REQUEST_TIMEOUT_MS = 10_000;

    /** Enough that a connect blocked on an unreachable voter does not hold up the requests to the others. */
    static final int THREADS = 4;

    private final RaftClient client;
    private final RaftGroupId groupId;
    private final AtomicLong nextCallId = new AtomicLong();
    private final ExecutorService executor = Executors.newFixedThreadPool(THREADS, runnable -> {
        Thread thread = new Thread(runnable, "spool-controller-requests");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param voters     the quorum's group with its voters only (the leader is always one of them)
     * @param properties the quorum's transport settings (RPC type); copied, not changed
     */
    ControllerRequestClient(RaftGroup voters, RaftProperties properties) {
        RaftProperties own = new RaftProperties(properties);
        RaftClientConfigKeys.Rpc.setRequestTimeout(own, TimeDuration.valueOf(REQUEST_TIMEOUT_MS,
                TimeUnit.MILLISECONDS));
        this.groupId = voters.getGroupId();
        this.client = RaftClient.newBuilder().setRaftGroup(voters).setProperties(own).build();
    }

    /**
     * Sends {@code request} to voter {@code target}; completes with its handler's answer, or exceptionally with
     * {@link NotControllerException} saying why the attempt failed.
     */
    CompletableFuture<byte[]> send(RaftPeerId target, byte[] request) {
        try {
            return CompletableFuture.supplyAsync(() -> transport(target, request), executor)
                    .thenCompose(reply -> reply)
                    .handleAsync((reply, error) -> answer(target, reply, error), executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new NotControllerException("The controller client is closed", e));
        }
    }

    /**
     * Straight to the transport: RaftClient's async API would order the requests of this client (one slow controller
     * operation would hold up every heartbeat behind it) and Netty has no unordered transport.
     */
    private CompletableFuture<RaftClientReply> transport(RaftPeerId target, byte[] request) {
        RaftClientRequest ratisRequest = RaftClientRequest.newBuilder().setClientId(client.getId())
                .setServerId(target).setGroupId(groupId).setCallId(nextCallId.incrementAndGet())
                .setMessage(Message.valueOf(ByteString.copyFrom(request)))
                .setType(RaftClientRequest.readRequestType()).build();
        return client.getClientRpc().sendRequestAsync(ratisRequest);
    }

    private byte[] answer(RaftPeerId target, RaftClientReply reply, Throwable error) {
        if (error == null && reply.isSuccess()) {
            return reply.getMessage().getContent().toByteArray();
        }
        Throwable cause = rootCause(error != null ? error : reply.getException());
        if (!answeredByServer(cause)) {
            client.getClientRpc().handleException(target, cause, true);
        }
        throw new NotControllerException("Controller request to " + target + " failed: " + cause, cause);
    }

    /** The failure under Ratis's wrappers (a completion, "no more retries"). */
    static Throwable rootCause(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof RaftRetryFailureException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** Whether the voter answered (so the connection to it is sound): not the leader, not ready, handler failed. */
    private static boolean answeredByServer(Throwable cause) {
        return cause instanceof NotLeaderException || cause instanceof LeaderNotReadyException
                || cause instanceof StateMachineException;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            client.close();
        } catch (IOException e) {
            throw new MetadataException("Failed to close the controller request client", e);
        }
    }
}
