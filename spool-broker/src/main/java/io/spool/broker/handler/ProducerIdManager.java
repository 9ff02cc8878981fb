package io.spool.broker.handler;

import io.spool.metadata.ProducerIdBlock;
import java.util.concurrent.CompletableFuture;

/**
 * Hands out producer ids from blocks the controller allocates durably in the metadata log, so an id is never
 * given twice, even across restarts. Thread-safe.
 */
public final class ProducerIdManager {
    public static final int BLOCK_SIZE = 1000;

    /** Where blocks come from: the active controller, wherever it is. */
    public interface BlockSource {
        CompletableFuture<ProducerIdBlock> allocate(int brokerId, int size);
    }

    private final BlockSource controller;
    private final int nodeId;
    private long next;
    private long end;
    private CompletableFuture<ProducerIdBlock> pending;

    public ProducerIdManager(BlockSource controller, int nodeId) {
        this.controller = controller;
        this.nodeId = nodeId;
    }

    public synchronized CompletableFuture<Long> nextId() {
        if (next < end) {
            return CompletableFuture.completedFuture(next++);
        }
        if (pending == null) {
            pending = controller.allocate(nodeId, BLOCK_SIZE);
            pending.whenComplete((block, error) -> {
                if (error != null) {
                    clearFailed();
                }
            });
        }
        CompletableFuture<ProducerIdBlock> block = pending;
        return block.thenCompose(b -> onBlock(block, b));
    }

    private synchronized void clearFailed() {
        if (pending != null && pending.isCompletedExceptionally()) {
            pending = null;
        }
    }

    private synchronized CompletableFuture<Long> onBlock(CompletableFuture<ProducerIdBlock> source,
            ProducerIdBlock block) {
        if (pending == source) {
            pending = null;
            next = block.firstProducerId();
            end = block.firstProducerId() + block.size();
        }
        return nextId();
    }
}
