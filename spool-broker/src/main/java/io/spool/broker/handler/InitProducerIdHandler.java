package io.spool.broker.handler;

import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.coordinator.txn.TransactionCoordinator;
import io.spool.protocol.KafkaRequest;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * InitProducerId: an idempotent producer (no transactional id) gets a fresh producer id with epoch 0 from this
 * broker's block of ids; a transactional one is served by the transaction coordinator (which answers
 * NOT_COORDINATOR unless this node leads the id's partition of {@code __transaction_state}).
 */
public final class InitProducerIdHandler implements RequestHandler {
    private final ProducerIdManager producerIds;
    private final TransactionCoordinator transactions;

    public InitProducerIdHandler(ProducerIdManager producerIds, TransactionCoordinator transactions) {
        this.producerIds = producerIds;
        this.transactions = transactions;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        InitProducerIdRequestData data = request.body();
        if (data.transactionalId() != null) {
            return transactions.initProducerId(data, request.apiVersion()).thenApply(ApiMessage.class::cast);
        }
        return producerIds.nextId().handle((id, error) -> error != null
                ? new InitProducerIdResponseData().setErrorCode(Errors.forException(error).code())
                        .setProducerId(-1).setProducerEpoch((short) -1)
                : new InitProducerIdResponseData().setErrorCode(Errors.NONE.code()).setProducerId(id)
                        .setProducerEpoch((short) 0));
    }
}
