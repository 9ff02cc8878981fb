package io.spool.broker.txn;

import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.protocol.KafkaRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * WriteTxnMarkers (v1-2), sent by a transaction coordinator on another node: writes each marker to the listed
 * partitions this node leads and answers once each is replicated. Errors per partition are those of
 * {@link TxnMarkerWriter#write}, or CLUSTER_AUTHORIZATION_FAILED on a listener other than the inter-broker one (Kafka
 * requires CLUSTER_ACTION: a client must not end other producers' transactions).
 */
public final class WriteTxnMarkersHandler implements RequestHandler {
    private final TxnMarkerWriter writer;
    private final String interBrokerListener;

    public WriteTxnMarkersHandler(TxnMarkerWriter writer, String interBrokerListener) {
        this.writer = writer;
        this.interBrokerListener = interBrokerListener;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        WriteTxnMarkersRequestData data = request.body();
        WriteTxnMarkersResponseData response = new WriteTxnMarkersResponseData();
        boolean allowed = interBrokerListener.equals(connection.listenerName());
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (WritableTxnMarker marker : data.markers()) {
            Set<TopicPartition> partitions = new LinkedHashSet<>();
            marker.topics().forEach(t -> t.partitionIndexes().forEach(p -> partitions.add(
                    new TopicPartition(t.name(), p))));
            WritableTxnMarkerResult result = new WritableTxnMarkerResult().setProducerId(marker.producerId());
            response.markers().add(result);
            if (!allowed) {
                Map<TopicPartition, Errors> refused = new LinkedHashMap<>();
                partitions.forEach(tp -> refused.put(tp, Errors.CLUSTER_AUTHORIZATION_FAILED));
                fill(result, refused);
                continue;
            }
            pending.add(writer.write(marker.producerId(), marker.producerEpoch(), marker.coordinatorEpoch(),
                    marker.transactionResult(), partitions).thenAccept(errors -> fill(result, errors)));
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(ignored -> response);
    }

    private static void fill(WritableTxnMarkerResult result, Map<TopicPartition, Errors> errors) {
        Map<String, WritableTxnMarkerTopicResult> topics = new LinkedHashMap<>();
        errors.forEach((tp, error) -> topics.computeIfAbsent(tp.topic(), name -> {
            WritableTxnMarkerTopicResult t = new WritableTxnMarkerTopicResult().setName(name);
            result.topics().add(t);
            return t;
        }).partitions().add(new WritableTxnMarkerPartitionResult().setPartitionIndex(tp.partition())
                .setErrorCode(error.code())));
    }
}
