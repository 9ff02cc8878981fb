package io.spool.broker.txn;

import io.spool.broker.cluster.BrokerChannel;
import io.spool.coordinator.txn.TransactionCoordinator;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.PartitionRecord;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * KIP-890 part 1: before a leader appends a transactional batch that would start a transaction on its partition,
 * it asks the producer's transaction coordinator whether the partition was added to that producer's ongoing
 * transaction (AddPartitionsToTxn v4 with verifyOnly, or a local call when this node is the coordinator). This keeps
 * a late or stray write from opening a transaction that no marker will ever close, which would hold the last
 * stable offset back forever. Thread-safe.
 *
 * <p>Outcomes: NONE; the coordinator's INVALID_TXN_STATE / INVALID_PRODUCER_EPOCH (also for PRODUCER_FENCED); and
 * NOT_ENOUGH_REPLICAS, retriable for the producer, when the coordinator cannot be asked or is not ready (Kafka
 * answers the same so that the client retries rather than fails).
 */
public final class TxnVerifier {
    private static final int TIMEOUT_MS = 10_000;

    private final int nodeId;
    private final Supplier<MetadataImage> image;
    private final TransactionCoordinator coordinator;
    private final BrokerChannel channel;

    public TxnVerifier(int nodeId, Supplier<MetadataImage> image, TransactionCoordinator coordinator,
            BrokerChannel channel) {
        this.nodeId = nodeId;
        this.image = image;
        this.coordinator = coordinator;
        this.channel = channel;
    }

    public CompletableFuture<Errors> verify(String transactionalId, long producerId, short producerEpoch,
            TopicPartition tp) {
        Optional<PartitionRecord> state = image.get().topics()
                .byName(TransactionCoordinatorService.TRANSACTION_STATE_TOPIC)
                .map(t -> t.partitions().get(coordinator.partitionFor(transactionalId)));
        if (state.isEmpty() || state.get() == null || state.get().leader() < 0) {
            return CompletableFuture.completedFuture(Errors.NOT_ENOUGH_REPLICAS);
        }
        CompletableFuture<Errors> answer;
        if (state.get().leader() == nodeId) {
            answer = coordinator.verifyPartitions(transactionalId, producerId, producerEpoch, Set.of(tp))
                    .thenApply(errors -> errors.getOrDefault(tp, Errors.INVALID_TXN_STATE));
        } else {
            answer = channel.call(state.get().leader(), ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 4,
                    request(transactionalId, producerId, producerEpoch, tp), TIMEOUT_MS)
                    .thenApply(r -> errorOf((AddPartitionsToTxnResponseData) r, transactionalId, tp));
        }
        return answer.handle((error, failure) -> failure != null ? Errors.NOT_ENOUGH_REPLICAS : retriable(error));
    }

    private static AddPartitionsToTxnRequestData request(String transactionalId, long producerId, short epoch,
            TopicPartition tp) {
        AddPartitionsToTxnTopic topic = new AddPartitionsToTxnTopic().setName(tp.topic());
        topic.partitions().add(tp.partition());
        AddPartitionsToTxnTransaction txn = new AddPartitionsToTxnTransaction().setTransactionalId(transactionalId)
                .setProducerId(producerId).setProducerEpoch(epoch).setVerifyOnly(true);
        txn.topics().add(topic);
        AddPartitionsToTxnRequestData request = new AddPartitionsToTxnRequestData();
        request.transactions().add(txn);
        return request;
    }

    private static Errors errorOf(AddPartitionsToTxnResponseData response, String transactionalId,
            TopicPartition tp) {
        if (response.errorCode() != Errors.NONE.code()) {
            return Errors.forCode(response.errorCode());
        }
        var result = response.resultsByTransaction().find(transactionalId);
        var topic = result == null ? null : result.topicResults().find(tp.topic());
        var partition = topic == null ? null : topic.resultsByPartition().find(tp.partition());
        return partition == null ? Errors.INVALID_TXN_STATE : Errors.forCode(partition.partitionErrorCode());
    }

    /**
     * Coordinator-side errors a producer could not act on become the retriable NOT_ENOUGH_REPLICAS; PRODUCER_FENCED
     * becomes INVALID_PRODUCER_EPOCH, which every Produce client version knows as fencing (as Kafka maps it).
     */
    private static Errors retriable(Errors error) {
        return switch (error) {
            case PRODUCER_FENCED -> Errors.INVALID_PRODUCER_EPOCH;
            case NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS, CONCURRENT_TRANSACTIONS,
                 REQUEST_TIMED_OUT, NETWORK_EXCEPTION, UNKNOWN_SERVER_ERROR -> Errors.NOT_ENOUGH_REPLICAS;
            default -> error;
        };
    }
}
