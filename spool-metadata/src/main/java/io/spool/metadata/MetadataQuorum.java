package io.spool.metadata;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The replicated metadata log and the image it folds into. Implementations are thread-safe: any thread may
 * append and read the image; listeners run on one apply thread.
 */
public interface MetadataQuorum extends AutoCloseable {
    /**
     * Starts this node's part of the quorum and returns once its image reflects everything committed before the
     * call.
     */
    void start() throws IOException;

    /**
     * Appends the records as one atomic batch. The future completes with the batch's log offset once the batch is
     * committed and applied to {@link #image()} on this node, or exceptionally if it could not be committed.
     */
    CompletableFuture<Long> append(List<MetadataRecord> records);

    /** The latest applied image. */
    MetadataImage image();

    /**
     * Whether this node is the active controller: the quorum's leader, with an image that holds everything committed
     * before its term. Only the active controller may validate an operation against {@link #image()} and append
     * its records. A quorum of one is always active once started.
     */
    default boolean isActiveController() {
        return true;
    }

    /** Whether this node's part of the quorum is running; a node whose quorum member died must stop. */
    default boolean isRunning() {
        return true;
    }

    /** The node id of the quorum's current leader (the active controller), or -1 while there is none known. */
    default int leaderId() {
        return -1;
    }

    /** The quorum's state as this node knows it, when this node leads it; empty elsewhere. */
    default java.util.Optional<QuorumState> describe() {
        return java.util.Optional.empty();
    }

    /**
     * Sends an opaque controller request to voter {@code leaderId}, which this node believes leads the quorum, in one
     * attempt over the quorum's own transport. Completes with the answer of that node's
     * {@link ControllerRequestHandler}, or exceptionally with {@link NotControllerException} when the node cannot be
     * reached, does not lead (any more), serves no controller or does not answer in time; the caller retries.
     */
    default CompletableFuture<byte[]> sendToController(int leaderId, byte[] request) {
        return CompletableFuture.failedFuture(new NotControllerException("This quorum has no other nodes"));
    }

    /** Serves the requests other nodes send with {@link #sendToController} while this node leads the quorum. */
    default void serveControllerRequests(ControllerRequestHandler handler) {
    }

    /** Registers a listener for every image applied from now on. */
    void addListener(MetadataListener listener);

    @Override
    void close();
}
