package io.spool.broker.handler;

import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.metadata.BrokerRegistration;
import io.spool.metadata.RegisterBrokerRecord;
import io.spool.protocol.KafkaRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeCluster: cluster id, controller and brokers. Asking for controller endpoints (v1 endpoint type 2) gets
 * UNSUPPORTED_ENDPOINT_TYPE, as from a Kafka broker.
 */
public final class DescribeClusterHandler implements RequestHandler {
    static final byte BROKERS = 1;
    private static final int AUTHORIZED_OPERATIONS_OMITTED = Integer.MIN_VALUE;

    private final BrokerContext broker;

    public DescribeClusterHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        DescribeClusterRequestData data = request.body();
        DescribeClusterResponseData response = new DescribeClusterResponseData()
                .setClusterId(broker.clusterId()).setControllerId(broker.nodeId())
                .setEndpointType(data.endpointType())
                .setClusterAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        if (data.endpointType() != BROKERS) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage("Brokers answer only for broker endpoints"));
        }
        // As Kafka: fenced brokers are left out unless a v2+ request asks for them (KIP-1073), and then marked.
        boolean includeFenced = request.apiVersion() >= 2 && data.includeFencedBrokers();
        for (BrokerRegistration registration : broker.image().cluster().registrations().values()) {
            if (registration.fenced() && !includeFenced) {
                continue;
            }
            RegisterBrokerRecord record = registration.record();
            MetadataHandler.endpointFor(record, connection.listenerName()).ifPresent(e ->
                    response.brokers().add(new DescribeClusterBroker().setBrokerId(record.brokerId())
                            .setHost(e.host()).setPort(e.port()).setRack(record.rack())
                            .setIsFenced(registration.fenced())));
        }
        return CompletableFuture.completedFuture(response);
    }
}
