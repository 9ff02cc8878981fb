package io.spool.coordinator.txn;

import io.spool.coordinator.CoordinatorTimer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The transactional ids of one {@code __transaction_state} partition this broker leads, with the partition's
 * coordinator epoch (the leader epoch markers carry). {@code pending} holds the ids with a write (or a producer id
 * allocation) in flight: requests for them get CONCURRENT_TRANSACTIONS. Guarded by the coordinator's lock.
 */
final class TxnShard {

    final int partition;
    final int coordinatorEpoch;
    boolean loading = true;
    final Map<String, TxnMetadata> txns = new HashMap<>();
    final Set<String> pending = new HashSet<>();
    final Map<String, CoordinatorTimer.Cancellable> retries = new HashMap<>();

    TxnShard(int partition, int coordinatorEpoch) {
        this.partition = partition;
        this.coordinatorEpoch = coordinatorEpoch;
    }
}
