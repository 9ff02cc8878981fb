package io.spool.broker.txn;

import io.spool.broker.group.GroupCoordinatorService;
import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.broker.replica.ReplicaManager;
import io.spool.coordinator.GroupCoordinator;
import io.spool.protocol.KafkaRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * TxnOffsetCommit (v0-4) with KIP-890 verification: the offsets are written to the group's partition of
 * {@code __consumer_offsets} as a transactional batch, so, as for Produce, the first such write of a transaction is
 * made only once the producer's transaction coordinator confirms that the group's offsets were added to the ongoing
 * transaction (AddOffsetsToTxn). A late TxnOffsetCommit of a finished transaction would otherwise open a transaction
 * that no marker closes, and hold the group's offsets unstable forever. Thread-safe.
 *
 * <p>Errors, for every partition: INVALID_REQUEST (empty transactional id), COORDINATOR_NOT_AVAILABLE (the
 * transaction coordinator could not be asked; the client finds the group coordinator again and retries),
 * INVALID_TXN_STATE, INVALID_PRODUCER_EPOCH, and those of {@link GroupCoordinator#txnCommitOffsets}.
 */
public final class VerifiedTxnOffsetCommit implements RequestHandler {
    private final GroupCoordinator groups;
    private final TxnVerifier verifier;
    private final ReplicaManager replicas;

    public VerifiedTxnOffsetCommit(GroupCoordinator groups, TxnVerifier verifier, ReplicaManager replicas) {
        this.groups = groups;
        this.verifier = verifier;
        this.replicas = replicas;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        TxnOffsetCommitRequestData data = request.body();
        short version = request.apiVersion();
        if (data.groupId() == null || data.groupId().isEmpty()) {
            return commit(data, version); // INVALID_GROUP_ID, from the coordinator
        }
        if (data.transactionalId() == null || data.transactionalId().isEmpty()) {
            return refused(data, Errors.INVALID_REQUEST);
        }
        int partition = groups.partitionFor(data.groupId());
        TopicPartition offsets = new TopicPartition(GroupCoordinatorService.OFFSETS_TOPIC, partition);
        boolean open = replicas.partition(offsets).map(p -> p.log().hasOngoingTransaction(data.producerId()))
                .orElse(false);
        if (!groups.isLoaded(partition) || open) {
            // Not the coordinator (or loading): the coordinator says so. Already open here: verified before.
            return commit(data, version);
        }
        return verifier.verify(data.transactionalId(), data.producerId(), data.producerEpoch(), offsets)
                .thenCompose(error -> error == Errors.NONE ? commit(data, version)
                        : refused(data, error == Errors.NOT_ENOUGH_REPLICAS ? Errors.COORDINATOR_NOT_AVAILABLE
                                : error));
    }

    private static CompletableFuture<ApiMessage> refused(TxnOffsetCommitRequestData data, Errors error) {
        return CompletableFuture.completedFuture(GroupCoordinator.txnCommitOffsetsError(data, error));
    }

    private CompletableFuture<ApiMessage> commit(TxnOffsetCommitRequestData data, short version) {
        return groups.txnCommitOffsets(data, version).thenApply(ApiMessage.class::cast);
    }
}
