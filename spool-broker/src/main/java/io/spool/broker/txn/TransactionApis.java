package io.spool.broker.txn;

import io.spool.broker.network.RequestDispatcher;
import io.spool.broker.replica.ReplicaManager;
import io.spool.coordinator.GroupCoordinator;
import io.spool.coordinator.txn.TransactionCoordinator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Registers the transaction APIs a client calls on its transaction coordinator (and TxnOffsetCommit, which the
 * group coordinator serves), plus WriteTxnMarkers, which coordinators send to partition leaders. The versions are
 * Kafka's transaction version 1: EndTxn below v5 and TxnOffsetCommit below v5, so clients add partitions
 * explicitly and epochs are bumped only by InitProducerId. AddPartitionsToTxn v4 is the broker-to-coordinator
 * batch (KIP-890 verification). Stateless.
 */
public final class TransactionApis {
    private TransactionApis() {
    }

    /**
     * @param interBrokerListener the only listener on which the broker-to-broker calls (WriteTxnMarkers,
     *     AddPartitionsToTxn v4) are served; elsewhere they get CLUSTER_AUTHORIZATION_FAILED, as Kafka answers a
     *     caller without CLUSTER_ACTION
     */
    public static void register(RequestDispatcher.Builder builder, TransactionCoordinator txn,
            GroupCoordinator groups, TxnMarkerWriter markers, TxnVerifier verifier, ReplicaManager replicas,
            String interBrokerListener) {
        builder.register(ApiKeys.ADD_PARTITIONS_TO_TXN, 0, 4, (r, conn) -> {
                    if (r.apiVersion() >= 4 && !interBrokerListener.equals(conn.listenerName())) {
                        return CompletableFuture.completedFuture(new AddPartitionsToTxnResponseData()
                                .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
                    }
                    return up(txn.addPartitionsToTxn(r.body(), r.apiVersion()));
                })
                .register(ApiKeys.ADD_OFFSETS_TO_TXN, 0, 4, (r, conn) ->
                        up(txn.addOffsetsToTxn(r.body(), r.apiVersion())))
                .register(ApiKeys.END_TXN, 0, 4, (r, conn) -> up(txn.endTxn(r.body(), r.apiVersion())))
                .register(ApiKeys.TXN_OFFSET_COMMIT, 0, 4, new VerifiedTxnOffsetCommit(groups, verifier, replicas))
                .register(ApiKeys.DESCRIBE_TRANSACTIONS, 0, 0, (r, conn) ->
                        CompletableFuture.completedFuture(txn.describeTransactions(r.body())))
                .register(ApiKeys.LIST_TRANSACTIONS, 0, 2, (r, conn) ->
                        CompletableFuture.completedFuture(txn.listTransactions(r.body(), r.apiVersion())))
                .register(ApiKeys.WRITE_TXN_MARKERS, 1, 2, new WriteTxnMarkersHandler(markers, interBrokerListener));
    }

    private static CompletionStage<ApiMessage> up(CompletableFuture<? extends ApiMessage> response) {
        return response.thenApply(ApiMessage.class::cast);
    }
}
