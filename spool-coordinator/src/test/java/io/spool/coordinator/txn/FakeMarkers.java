package io.spool.coordinator.txn;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/** Records every marker call; completes them at once, or holds them ({@code hold}) or fails the next ones. */
final class FakeMarkers implements TxnMarkerChannel {

    record Call(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit,
                Set<TopicPartition> partitions, CompletableFuture<Void> future) {
    }

    final List<Call> calls = new ArrayList<>();
    boolean hold;
    int failNext;

    @Override
    public CompletableFuture<Void> writeMarkers(long producerId, short producerEpoch, int coordinatorEpoch,
                                                boolean commit, Set<TopicPartition> partitions) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        calls.add(new Call(producerId, producerEpoch, coordinatorEpoch, commit, Set.copyOf(partitions), f));
        if (failNext > 0) {
            failNext--;
            f.completeExceptionally(new IllegalStateException("markers gave up"));
        } else if (!hold) {
            f.complete(null);
        }
        return f;
    }

    Call last() {
        return calls.get(calls.size() - 1);
    }

    /** Completes every held call, in order. */
    void release() {
        new ArrayList<>(calls).forEach(c -> c.future.complete(null));
    }
}
