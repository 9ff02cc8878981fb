/**
 * The transaction coordinator (Kafka's transaction version 1) as a state machine over the records of
 * {@code __transaction_state}.
 *
 * <p>Roles: {@link io.spool.coordinator.txn.TransactionCoordinator} routes requests to the shard of an id's partition
 * and owns loading; {@code InitProducerIdHandler}, {@code AddPartitionsHandler}, {@code EndTxnHandler} and
 * {@code TxnAdminHandler} serve one API each; {@code TxnCompleter} runs the second phase (markers, then
 * CompleteCommit/CompleteAbort) and the coordinator's own fencing aborts; {@code TxnExpirer} is the periodic sweep;
 * {@link io.spool.coordinator.txn.TxnRecordSerde} owns the record format.
 *
 * <p>What the broker provides: a {@link io.spool.coordinator.CoordinatorRecordLog} over the partitions of
 * {@code __transaction_state}; a {@link io.spool.coordinator.txn.TxnMarkerChannel} (WriteTxnMarkers to the leaders,
 * retrying by itself); a {@link io.spool.coordinator.txn.ProducerIdSource} (the controller's id blocks); a timer and a
 * clock; the group coordinator's partition function, for AddOffsetsToTxn; a topic-partition existence check. It calls
 * {@code loadPartition(p, leaderEpoch, records)} when it becomes leader of partition p, {@code unloadPartition(p)}
 * when it stops, and {@code abortTimedOutTransactions()} every
 * {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}. Authorization is the broker's: the coordinator
 * never answers TRANSACTIONAL_ID_AUTHORIZATION_FAILED or TOPIC_AUTHORIZATION_FAILED.
 */
package io.spool.coordinator.txn;
