package io.spool.broker.replica;

import io.spool.broker.cluster.KafkaConnection;
import io.spool.metadata.Endpoint;
import io.spool.storage.AppendResult;
import io.spool.storage.LogManager;
import io.spool.storage.PartitionLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower side of replication: one fetcher thread per leader node, fetching every partition this node
 * follows from it with the Fetch API and a replica id, appending what it gets unchanged, making it durable before
 * the next fetch (so the offset that fetch reports counts for the leader's high watermark), and truncating where
 * the leader says the logs diverge (the diverging epoch of Fetch v12+). Thread-safe.
 */
public final class ReplicaFetchers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetchers.class);
    static final short FETCH_VERSION = 17;

    /** Fetch settings, under Kafka's names. */
    public record Settings(int maxWaitMs, int minBytes, int maxBytes, int partitionMaxBytes, long backoffMs) {
    }

    private final int nodeId;
    private final LogManager logs;
    private final LongSupplier brokerEpoch;
    private final Settings settings;
    private final Map<Integer, Fetcher> fetchers = new HashMap<>();
    private final Map<TopicPartition, Integer> leaderOf = new HashMap<>();
    private volatile ReplicationThrottles throttles = new ReplicationThrottles(-1, System::nanoTime);
    private boolean closed;

    public ReplicaFetchers(int nodeId, LogManager logs, LongSupplier brokerEpoch,
            Settings settings) {
        this.nodeId = nodeId;
        this.logs = logs;
        this.brokerEpoch = brokerEpoch;
        this.settings = settings;
    }

    /** The follower-side replication throttles to obey (KIP-73); none until set. */
    void throttleWith(ReplicationThrottles replicationThrottles) {
        this.throttles = replicationThrottles;
    }

    /** Fetches {@code partition} from {@code leaderId} from now on (from its log end, at its current epoch). */
    synchronized void follow(Partition partition, int leaderId, Endpoint endpoint) {
        if (closed) {
            return;
        }
        remove(partition);
        Fetcher fetcher = fetchers.get(leaderId);
        if (fetcher == null || !fetcher.endpoint.equals(endpoint)) {
            if (fetcher != null) {
                fetcher.shutdown();
            }
            fetcher = new Fetcher(leaderId, endpoint);
            fetchers.put(leaderId, fetcher);
            fetcher.start();
        }
        fetcher.add(partition);
        leaderOf.put(partition.topicPartition(), leaderId);
    }

    synchronized void remove(Partition partition) {
        Integer leader = leaderOf.remove(partition.topicPartition());
        if (leader != null) {
            Fetcher fetcher = fetchers.get(leader);
            if (fetcher != null) {
                fetcher.remove(partition.topicPartition());
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        fetchers.values().forEach(Fetcher::shutdown);
        for (Fetcher f : fetchers.values()) {
            try {
                f.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        fetchers.clear();
    }

    /** A partition as Fetch v13+ names it in responses: by topic id. */
    private record PartitionKey(Uuid topicId, int partition) {
    }

    /** One partition as a fetcher sees it. */
    private static final class FetchState {
        final Partition partition;
        final int leaderEpoch;
        long delayedUntilMs;

        FetchState(Partition partition) {
            this.partition = partition;
            this.leaderEpoch = partition.leaderEpoch();
        }
    }

    private final class Fetcher extends Thread {
        final int leaderId;
        final Endpoint endpoint;
        private final Map<TopicPartition, FetchState> partitions = new LinkedHashMap<>();
        private volatile boolean running = true;
        private KafkaConnection connection;

        Fetcher(int leaderId, Endpoint endpoint) {
            super("spool-replica-fetcher-" + nodeId + "-from-" + leaderId);
            setDaemon(true);
            this.leaderId = leaderId;
            this.endpoint = endpoint;
        }

        synchronized void add(Partition partition) {
            partitions.put(partition.topicPartition(), new FetchState(partition));
            notifyAll();
        }

        synchronized void remove(TopicPartition tp) {
            partitions.remove(tp);
        }

        private synchronized List<FetchState> ready(long now) throws InterruptedException {
            while (running && partitions.isEmpty()) {
                wait(1000);
            }
            List<FetchState> result = new ArrayList<>();
            for (FetchState state : partitions.values()) {
                if (state.delayedUntilMs <= now) {
                    result.add(state);
                }
            }
            return result;
        }

        private synchronized boolean stillFollowing(FetchState state) {
            return partitions.get(state.partition.topicPartition()) == state;
        }

        void shutdown() {
            running = false;
            interrupt();
            KafkaConnection c = connection;
            if (c != null) {
                c.close();
            }
        }

        @Override
        public void run() {
            while (running) {
                try {
                    List<FetchState> batch = ready(System.currentTimeMillis());
                    if (!running) {
                        break;
                    }
                    if (batch.isEmpty()) {
                        Thread.sleep(50);
                        continue;
                    }
                    fetchOnce(batch);
                } catch (InterruptedException e) {
                    break;
                } catch (IOException | RuntimeException e) {
                    if (running) {
                        LOG.warn("Fetching from node {} at {}:{} failed: {}", leaderId, endpoint.host(),
                                endpoint.port(), e.toString());
                        closeConnection();
                        sleepQuietly(settings.backoffMs());
                    }
                }
            }
            closeConnection();
        }

        private void closeConnection() {
            if (connection != null) {
                connection.close();
                connection = null;
            }
        }

        private void sleepQuietly(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                running = false;
            }
        }

        private void fetchOnce(List<FetchState> batch) throws IOException {
            if (connection == null || !connection.isConnected()) {
                KafkaConnection c = new KafkaConnection(endpoint.host(), endpoint.port(),
                        "spool-replica-fetcher-" + nodeId);
                connection = c;
                c.connect(3000);
            }
            FetchRequestData request = new FetchRequestData().setReplicaId(-1)
                    .setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(nodeId)
                            .setReplicaEpoch(brokerEpoch.getAsLong()))
                    .setMaxWaitMs(settings.maxWaitMs()).setMinBytes(settings.minBytes())
                    .setMaxBytes(settings.maxBytes()).setIsolationLevel((byte) 0).setSessionId(0)
                    .setSessionEpoch(-1);
            Map<Uuid, FetchRequestData.FetchTopic> topics = new LinkedHashMap<>();
            Map<PartitionKey, FetchState> byKey = new HashMap<>();
            for (FetchState state : batch) {
                TopicPartition tp = state.partition.topicPartition();
                if (throttles.shouldFollowerThrottle(tp, state.partition.isr().contains(nodeId))) {
                    continue;
                }
                PartitionLog log = state.partition.log();
                FetchRequestData.FetchTopic topic = topics.computeIfAbsent(state.partition.topicId(),
                        id -> new FetchRequestData.FetchTopic().setTopicId(id)
                                .setTopic(state.partition.topicPartition().topic()));
                topic.partitions().add(new FetchRequestData.FetchPartition()
                        .setPartition(state.partition.topicPartition().partition())
                        .setCurrentLeaderEpoch(state.leaderEpoch).setFetchOffset(log.logEndOffset())
                        .setLastFetchedEpoch(log.latestEpoch()).setLogStartOffset(log.logStartOffset())
                        .setPartitionMaxBytes(settings.partitionMaxBytes()));
                byKey.put(new PartitionKey(state.partition.topicId(), state.partition.topicPartition().partition()),
                        state);
            }
            if (topics.isEmpty()) {
                // Every partition waits for the follower throttle.
                sleepQuietly(Math.min(100, Math.max(1, settings.backoffMs())));
                return;
            }
            request.topics().addAll(topics.values());
            FetchResponseData response = (FetchResponseData) connection.call(ApiKeys.FETCH, FETCH_VERSION, request,
                    settings.maxWaitMs() + 30_000);
            if (response.errorCode() != Errors.NONE.code()) {
                LOG.warn("Fetch from node {} failed: {}", leaderId, Errors.forCode(response.errorCode()));
                sleepQuietly(settings.backoffMs());
                return;
            }
            List<CompletableFuture<Void>> durable = new ArrayList<>();
            List<Runnable> afterDurable = new ArrayList<>();
            for (FetchResponseData.FetchableTopicResponse topic : response.responses()) {
                for (FetchResponseData.PartitionData data : topic.partitions()) {
                    FetchState state = byKey.get(new PartitionKey(topic.topicId(), data.partitionIndex()));
                    if (state == null || !stillFollowing(state)) {
                        continue;
                    }
                    handle(state, data, durable, afterDurable);
                }
            }
            if (!durable.isEmpty()) {
                try {
                    CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IOException("Could not make fetched records durable", e);
                }
            }
            afterDurable.forEach(Runnable::run);
        }

        private void handle(FetchState state, FetchResponseData.PartitionData data,
                List<CompletableFuture<Void>> durable, List<Runnable> afterDurable) {
            Partition partition = state.partition;
            PartitionLog log = partition.log();
            Errors error = Errors.forCode(data.errorCode());
            long now = System.currentTimeMillis();
            switch (error) {
                case NONE -> {
                    FetchResponseData.EpochEndOffset diverging = data.divergingEpoch();
                    if (diverging != null && (diverging.epoch() >= 0 || diverging.endOffset() >= 0)) {
                        truncateToDivergence(partition, diverging);
                        return;
                    }
                    MemoryRecords records = (MemoryRecords) data.records();
                    if (records != null && records.sizeInBytes() > 0) {
                        throttles.recordFollower(partition.topicPartition(), records.sizeInBytes());
                        AppendResult result = log.appendAsFollower(records);
                        if (result.error() != Errors.NONE) {
                            LOG.warn("Follower append to {} failed: {} {}", partition.topicPartition(),
                                    result.error(), result.errorMessage());
                            state.delayedUntilMs = now + settings.backoffMs();
                            return;
                        }
                        if (log.config().flushOnAck()) {
                            durable.add(logs.flusher().awaitDurable(log, log.logEndOffset()));
                        }
                    }
                    long leaderHw = data.highWatermark();
                    long leaderStart = data.logStartOffset();
                    afterDurable.add(() -> {
                        partition.updateFollowerHighWatermark(leaderHw);
                        followLeaderLogStart(log, leaderStart);
                    });
                }
                case OFFSET_OUT_OF_RANGE -> {
                    long leaderStart = data.logStartOffset();
                    if (leaderStart >= 0 && log.logEndOffset() < leaderStart) {
                        LOG.info("{}: fetch offset {} is below the leader's log start {}; starting over there",
                                partition.topicPartition(), log.logEndOffset(), leaderStart);
                        log.truncateFullyAndStartAt(leaderStart);
                    } else {
                        long to = Math.max(log.logStartOffset(), log.highWatermark());
                        LOG.info("{}: fetch offset {} is past the leader's log end; truncating to {}",
                                partition.topicPartition(), log.logEndOffset(), to);
                        log.truncateTo(to);
                    }
                }
                default -> {
                    LOG.debug("Fetch of {} from {}: {}", partition.topicPartition(), leaderId, error);
                    state.delayedUntilMs = now + settings.backoffMs();
                }
            }
        }

        /**
         * Raises this replica's log start offset to the leader's (DeleteRecords, retention there), as far as this
         * replica's high watermark: its next fetch reports it, which is what the leader's DeleteRecords waits for.
         */
        private void followLeaderLogStart(PartitionLog log, long leaderStart) {
            long target = Math.min(leaderStart, log.highWatermark());
            if (target > log.logStartOffset()) {
                log.maybeIncrementLogStartOffset(target);
            }
        }

        private void truncateToDivergence(Partition partition, FetchResponseData.EpochEndOffset diverging) {
            PartitionLog log = partition.log();
            long target;
            if (diverging.epoch() < 0 || diverging.endOffset() < 0) {
                target = log.logStartOffset();
            } else {
                Map.Entry<Integer, Long> local = log.endOffsetForEpoch(diverging.epoch());
                long localEnd = local.getKey() < 0 ? log.logStartOffset() : local.getValue();
                target = Math.min(diverging.endOffset(), localEnd);
            }
            LOG.info("{}: log diverges from leader {} at epoch {} end offset {}; truncating from {} to {}",
                    partition.topicPartition(), leaderId, diverging.epoch(), diverging.endOffset(),
                    log.logEndOffset(), target);
            log.truncateTo(Math.max(target, log.logStartOffset()));
        }
    }
}
