package io.spool.broker.txn;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.spool.broker.ServerConfig;
import io.spool.broker.group.CoordinatorLogReplay;
import io.spool.broker.group.CoordinatorPartitions;
import io.spool.broker.group.CoordinatorScheduler;
import io.spool.broker.replica.ReplicaManager;
import io.spool.coordinator.txn.ProducerIdSource;
import io.spool.coordinator.txn.TransactionCoordinator;
import io.spool.coordinator.txn.TransactionCoordinatorConfig;
import io.spool.coordinator.txn.TxnMarkerChannel;
import io.spool.metadata.MetadataImage;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts the transaction coordinator on this broker over the partitions of {@code __transaction_state} this node
 * leads (see {@link CoordinatorPartitions}; the partition's leader epoch is the coordinator epoch that markers
 * carry), and aborts transactions past their timeout.
 */
public final class TransactionCoordinatorService implements AutoCloseable {
    public static final String TRANSACTION_STATE_TOPIC = "__transaction_state";
    private static final Logger LOG = LoggerFactory.getLogger(TransactionCoordinatorService.class);

    private final TransactionCoordinator coordinator;
    private final CoordinatorPartitions partitions;
    private final CoordinatorScheduler timer = new CoordinatorScheduler("spool-txn-timer");
    private final ScheduledExecutorService aborter = Executors.newSingleThreadScheduledExecutor(
            new DefaultThreadFactory("spool-txn-timeouts", true));

    public TransactionCoordinatorService(ServerConfig config, ReplicaManager replicas, Clock clock,
            TxnMarkerChannel markers, ProducerIdSource producerIds, ToIntFunction<String> groupPartition,
            Supplier<MetadataImage> image) {
        TransactionCoordinatorConfig settings = new TransactionCoordinatorConfig(
                config.getInt("transaction.state.log.num.partitions"), config.getInt("transaction.max.timeout.ms"),
                config.getInt("transaction.abort.timed.out.transaction.cleanup.interval.ms"),
                config.getInt("transactional.id.expiration.ms"));
        this.partitions = new CoordinatorPartitions(TRANSACTION_STATE_TOPIC, config.nodeId(), replicas, clock,
                new CoordinatorPartitions.Host() {
                    @Override
                    public void load(int partition, int leaderEpoch, CoordinatorLogReplay.Result replay) {
                        coordinator().loadPartition(partition, leaderEpoch, replay.records());
                    }

                    @Override
                    public void unload(int partition) {
                        coordinator().unloadPartition(partition);
                    }
                });
        this.coordinator = new TransactionCoordinator(settings, partitions, markers, producerIds, timer, clock,
                groupPartition, tp -> exists(image.get(), tp));
        long interval = settings.abortTimedOutIntervalMs();
        aborter.scheduleWithFixedDelay(this::abortTimedOut, interval, interval, TimeUnit.MILLISECONDS);
    }

    private static boolean exists(MetadataImage image, TopicPartition tp) {
        return image.topics().byName(tp.topic()).map(t -> t.partitions().containsKey(tp.partition())).orElse(false);
    }

    private void abortTimedOut() {
        try {
            coordinator.abortTimedOutTransactions();
        } catch (RuntimeException e) {
            LOG.error("Aborting timed-out transactions failed", e);
        }
    }

    public TransactionCoordinator coordinator() {
        return coordinator;
    }

    /** What follows the metadata: register it with the quorum. */
    public CoordinatorPartitions partitions() {
        return partitions;
    }

    public int partitionFor(String transactionalId) {
        return coordinator.partitionFor(transactionalId);
    }

    /** Starts following the metadata once the start-up replay is complete (see ReplicaManager#activate). */
    public void activate(MetadataImage image) {
        partitions.activate(image);
    }

    @Override
    public void close() {
        aborter.shutdownNow();
        partitions.close();
        timer.close();
    }
}
