package io.spool.coordinator.txn;

/**
 * The transaction coordinator's settings, named after Kafka's broker configs.
 *
 * @param numPartitions           {@code transaction.state.log.num.partitions}
 * @param maxTimeoutMs            {@code transaction.max.timeout.ms}
 * @param abortTimedOutIntervalMs {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}
 * @param transactionalIdExpirationMs {@code transactional.id.expiration.ms}
 */
public record TransactionCoordinatorConfig(int numPartitions, int maxTimeoutMs, long abortTimedOutIntervalMs,
                                           long transactionalIdExpirationMs) {

    public TransactionCoordinatorConfig {
        if (numPartitions <= 0 || maxTimeoutMs <= 0 || abortTimedOutIntervalMs <= 0
            || transactionalIdExpirationMs <= 0) {
            throw new IllegalArgumentException("transaction coordinator settings must be positive");
        }
    }

    /** Kafka's defaults: 50 partitions, 15 minutes, 10 seconds, 7 days. */
    public static TransactionCoordinatorConfig defaults() {
        return new TransactionCoordinatorConfig(50, 900_000, 10_000L, 604_800_000L);
    }
}
