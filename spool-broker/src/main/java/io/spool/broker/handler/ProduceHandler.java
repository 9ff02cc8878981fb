package io.spool.broker.handler;

import io.spool.broker.network.CloseConnectionException;
import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.broker.replica.Partition;
import io.spool.broker.txn.TransactionalAppends;
import io.spool.metadata.PartitionRecord;
import io.spool.metadata.RegisterBrokerRecord;
import io.spool.metadata.TopicImage;
import io.spool.protocol.KafkaRequest;
import io.spool.storage.AppendResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.BatchIndexAndErrorMessage;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Produce: validates and appends each partition's batches, then answers when every partition's write is durable
 * (acks=1 waits for the group-commit fsync unless the topic is in page-cache mode; acks=all also waits for every
 * in-sync replica to have fetched the records, and needs at least min.insync.replicas of them). acks=0 gets no response; if any partition fails the connection is closed
 * so the producer notices, as Kafka does.
 *
 * <p>Errors: UNKNOWN_TOPIC_OR_PARTITION / UNKNOWN_TOPIC_ID, INVALID_REQUIRED_ACKS (only for partitions that pass
 * every other check, as in Kafka), NOT_LEADER_OR_FOLLOWER,
 * NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT,
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED (transactional batches without a transactional id), the KIP-890
 * verification of {@link TransactionalAppends} (INVALID_TXN_STATE, INVALID_PRODUCER_EPOCH, NOT_ENOUGH_REPLICAS), the
 * shape checks of {@link ProduceRecordsCheck}
 * (INVALID_RECORD, CORRUPT_MESSAGE, UNSUPPORTED_COMPRESSION_TYPE for zstd below v7), and the log's own validation
 * errors (CORRUPT_MESSAGE, INVALID_RECORD, MESSAGE_TOO_LARGE, INVALID_TIMESTAMP, OUT_OF_ORDER_SEQUENCE_NUMBER,
 * INVALID_PRODUCER_EPOCH, ...).
 */
public final class ProduceHandler implements RequestHandler {
    private final BrokerContext broker;
    private final TransactionalAppends transactions;

    public ProduceHandler(BrokerContext broker, TransactionalAppends transactions) {
        this.broker = broker;
        this.transactions = transactions;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        ProduceRequestData data = request.body();
        short acks = data.acks();
        ProduceResponseData response = new ProduceResponseData();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        boolean anyError = false;
        for (TopicProduceData topic : data.topicData()) {
            TopicProduceResponse topicResponse = new TopicProduceResponse().setName(topic.name())
                    .setTopicId(topic.topicId());
            response.responses().add(topicResponse);
            Optional<TopicImage> image = resolve(topic);
            for (PartitionProduceData partitionData : topic.partitionData()) {
                PartitionProduceResponse out = new PartitionProduceResponse().setIndex(partitionData.index())
                        .setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
                topicResponse.partitionResponses().add(out);
                Errors early = check(request.apiVersion(), data, topic, image, partitionData);
                if (early != Errors.NONE) {
                    out.setErrorCode(early.code());
                    anyError = true;
                    continue;
                }
                TopicPartition tp = new TopicPartition(image.get().name(), partitionData.index());
                Optional<Partition> partition = broker.replicas().partition(tp);
                if (partition.isEmpty() || partition.get().leaderId() != broker.nodeId()) {
                    out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
                    addLeaderHint(response, out, image.get(), partitionData.index(), connection.listenerName());
                    anyError = true;
                    continue;
                }
                MemoryRecords records = (MemoryRecords) partitionData.records();
                CompletableFuture<AppendResult> append = transactions.append(data.transactionalId(), partition.get(),
                        records, () -> broker.replicas().append(partition.get(), records, acks, data.timeoutMs()));
                pending.add(append.thenAccept(result -> fill(out, result)));
            }
        }
        if (acks == 0) {
            // A rejected append completes at once, so every error is known here; durable ones need no answer.
            if (anyError || hasError(response)) {
                return CompletableFuture.failedFuture(new CloseConnectionException("an acks=0 produce failed"));
            }
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(ignored -> response);
    }

    /**
     * KIP-951: tells a producer that wrote to a former leader where the leader is now (v10+; older versions drop
     * these fields), so it need not wait for a metadata refresh.
     */
    private void addLeaderHint(ProduceResponseData response, PartitionProduceResponse out, TopicImage topic,
            int partitionIndex, String listenerName) {
        PartitionRecord record = topic.partitions().get(partitionIndex);
        if (record == null || record.leader() < 0) {
            return;
        }
        out.setCurrentLeader(new ProduceResponseData.LeaderIdAndEpoch().setLeaderId(record.leader())
                .setLeaderEpoch(record.leaderEpoch()));
        if (response.nodeEndpoints().find(record.leader()) != null) {
            return;
        }
        RegisterBrokerRecord leader = broker.image().cluster().brokers().get(record.leader());
        if (leader != null) {
            MetadataHandler.endpointFor(leader, listenerName).ifPresent(e -> response.nodeEndpoints().add(
                    new ProduceResponseData.NodeEndpoint().setNodeId(leader.brokerId()).setHost(e.host())
                            .setPort(e.port()).setRack(leader.rack())));
        }
    }

    private Optional<TopicImage> resolve(TopicProduceData topic) {
        if (topic.name() == null || topic.name().isEmpty()) {
            Uuid id = topic.topicId();
            return id == null ? Optional.empty() : broker.image().topics().byId(id);
        }
        return broker.image().topics().byName(topic.name());
    }

    private Errors check(short version, ProduceRequestData data, TopicProduceData topic, Optional<TopicImage> image,
            PartitionProduceData partition) {
        if (image.isEmpty() || !image.get().partitions().containsKey(partition.index())) {
            boolean byId = topic.name() == null || topic.name().isEmpty();
            return byId && image.isEmpty() ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (!(partition.records() instanceof MemoryRecords records)) {
            return Errors.CORRUPT_MESSAGE;
        }
        Errors shape = ProduceRecordsCheck.check(version, records);
        if (shape == Errors.NONE && data.transactionalId() == null && TransactionalAppends.isTransactional(records)) {
            // Without its transactional id the coordinator cannot be asked whether the write belongs to a
            // transaction; Kafka refuses it as an unauthorized transactional id.
            return Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
        }
        short acks = data.acks();
        if (shape == Errors.NONE && acks != -1 && acks != 0 && acks != 1) {
            // Last, as in Kafka: the partitions that exist and carry valid records are the ones refused for acks.
            return Errors.INVALID_REQUIRED_ACKS;
        }
        return shape;
    }

    private static void fill(PartitionProduceResponse out, AppendResult result) {
        out.setErrorCode(result.error().code())
                .setErrorMessage(result.error() == Errors.NONE ? null : result.errorMessage())
                .setLogStartOffset(result.logStartOffset());
        // Fields of later versions are all ignorable: the encoder drops them for older clients.
        if (result.error() == Errors.NONE) {
            out.setBaseOffset(result.firstOffset()).setLogAppendTimeMs(result.logAppendTime());
        }
        result.recordErrors().forEach(e -> out.recordErrors().add(new BatchIndexAndErrorMessage()
                .setBatchIndex(e.batchIndex()).setBatchIndexErrorMessage(e.message())));
    }

    private static boolean hasError(ProduceResponseData response) {
        return response.responses().stream().flatMap(t -> t.partitionResponses().stream())
                .anyMatch(p -> p.errorCode() != Errors.NONE.code());
    }
}
