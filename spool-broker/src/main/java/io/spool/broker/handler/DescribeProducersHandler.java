package io.spool.broker.handler;

import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.broker.replica.Partition;
import io.spool.protocol.KafkaRequest;
import io.spool.storage.ProducerInfo;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeProducers (KIP-664): the idempotent and transactional producers a partition leader holds state for, with
 * the start offset of each one's open transaction. Errors per partition: UNKNOWN_TOPIC_OR_PARTITION,
 * NOT_LEADER_OR_FOLLOWER. Stateless.
 */
public final class DescribeProducersHandler implements RequestHandler {
    private final BrokerContext broker;

    public DescribeProducersHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        DescribeProducersRequestData data = request.body();
        DescribeProducersResponseData response = new DescribeProducersResponseData();
        for (DescribeProducersRequestData.TopicRequest topic : data.topics()) {
            TopicResponse out = new TopicResponse().setName(topic.name());
            response.topics().add(out);
            for (int index : topic.partitionIndexes()) {
                out.partitions().add(describe(new TopicPartition(topic.name(), index)));
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private PartitionResponse describe(TopicPartition tp) {
        PartitionResponse out = new PartitionResponse().setPartitionIndex(tp.partition());
        boolean known = broker.image().topics().byName(tp.topic())
                .map(t -> t.partitions().containsKey(tp.partition())).orElse(false);
        if (!known) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                    .setErrorMessage("Unknown topic partition " + tp);
        }
        Optional<Partition> partition = broker.replicas().partition(tp);
        if (partition.isEmpty() || partition.get().leaderId() != broker.nodeId()) {
            return out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code())
                    .setErrorMessage("This node does not lead " + tp);
        }
        for (ProducerInfo p : partition.get().log().activeProducers()) {
            out.activeProducers().add(new ProducerState().setProducerId(p.producerId())
                    .setProducerEpoch(p.producerEpoch()).setLastSequence(p.lastSequence())
                    .setLastTimestamp(p.lastTimestamp()).setCoordinatorEpoch(p.coordinatorEpoch())
                    .setCurrentTxnStartOffset(p.currentTxnStartOffset()));
        }
        return out;
    }
}
