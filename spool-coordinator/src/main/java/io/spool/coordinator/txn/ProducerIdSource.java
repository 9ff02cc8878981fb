package io.spool.coordinator.txn;

import java.util.concurrent.CompletableFuture;

/**
 * Where new producer ids come from (the broker's block of ids allocated by the controller). A failed future carries
 * a Kafka {@link org.apache.kafka.common.errors.ApiException} whose error the InitProducerId client sees.
 */
public interface ProducerIdSource {

    CompletableFuture<Long> nextProducerId();
}
