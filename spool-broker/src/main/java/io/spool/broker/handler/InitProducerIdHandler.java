package io.spool.broker.handler;

import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.protocol.KafkaRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * InitProducerId for idempotent producers: a fresh producer id with epoch 0. A transactional id needs the
 * transaction coordinator, which Spool does not have yet: such requests get COORDINATOR_NOT_AVAILABLE.
 */
public final class InitProducerIdHandler implements RequestHandler {
    private final ProducerIdManager producerIds;

    public InitProducerIdHandler(ProducerIdManager producerIds) {
        this.producerIds = producerIds;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        InitProducerIdRequestData data = request.body();
        if (data.transactionalId() != null) {
            return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                    .setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setProducerId(-1).setProducerEpoch((short) -1));
        }
        return producerIds.nextId().handle((id, error) -> error != null
                ? new InitProducerIdResponseData().setErrorCode(Errors.forException(error).code())
                        .setProducerId(-1).setProducerEpoch((short) -1)
                : new InitProducerIdResponseData().setErrorCode(Errors.NONE.code()).setProducerId(id)
                        .setProducerEpoch((short) 0));
    }
}
