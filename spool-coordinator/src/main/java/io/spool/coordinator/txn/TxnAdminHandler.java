package io.spool.coordinator.txn;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.Errors;

/** DescribeTransactions and ListTransactions. Runs under the coordinator's lock. */
final class TxnAdminHandler {

    private final TxnContext ctx;

    TxnAdminHandler(TxnContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Describes one transactional id.
     *
     * <p>Errors: NOT_COORDINATOR; COORDINATOR_LOAD_IN_PROGRESS; TRANSACTIONAL_ID_NOT_FOUND (unknown or Dead).
     */
    DescribeTransactionsResponseData.TransactionState handleDescribe(String id) {
        DescribeTransactionsResponseData.TransactionState out = new DescribeTransactionsResponseData.TransactionState()
            .setTransactionalId(id).setTransactionState("").setProducerId(TxnMetadata.NO_PRODUCER_ID)
            .setProducerEpoch(TxnMetadata.NO_EPOCH).setTransactionStartTimeMs(-1L);
        Errors[] error = {Errors.NONE};
        TxnShard shard = id == null ? null : ctx.route(id, error);
        TxnMetadata meta = shard == null ? null : shard.txns.get(id);
        if (shard != null && (meta == null || meta.state() == TxnState.DEAD)) {
            error[0] = Errors.TRANSACTIONAL_ID_NOT_FOUND;
        } else if (id == null) {
            error[0] = Errors.TRANSACTIONAL_ID_NOT_FOUND;
        }
        if (error[0] != Errors.NONE) {
            return out.setErrorCode(error[0].code());
        }
        out.setTransactionState(meta.state().kafkaName()).setTransactionTimeoutMs(meta.timeoutMs())
            .setTransactionStartTimeMs(meta.txnStartTimestamp()).setProducerId(meta.producerId())
            .setProducerEpoch(meta.producerEpoch());
        Map<String, List<Integer>> byTopic = new LinkedHashMap<>();
        for (TopicPartition tp : meta.partitions()) {
            byTopic.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(tp.partition());
        }
        byTopic.forEach((topic, parts) -> out.topics().add(new DescribeTransactionsResponseData.TopicData()
            .setTopic(topic).setPartitions(parts)));
        return out;
    }

    /**
     * Lists the transactional ids of every loaded partition matching all filters (states, producer ids, started
     * more than {@code durationFilter} ms ago (v1+), id pattern (v2+)). As in Kafka, an id with no transaction
     * started (start time -1) passes the duration filter.
     *
     * <p>Errors: COORDINATOR_LOAD_IN_PROGRESS (a partition is loading; the loaded ones are still listed);
     * INVALID_REGULAR_EXPRESSION (v2+ pattern). Unknown state names come back in {@code unknownStateFilters}.
     */
    ListTransactionsResponseData handleList(ListTransactionsRequestData req, short version) {
        ListTransactionsResponseData out = new ListTransactionsResponseData();
        Pattern pattern = null;
        String regex = version >= 2 ? req.transactionalIdPattern() : null;
        if (regex != null && !regex.isEmpty()) {
            try {
                pattern = Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                return out.setErrorCode(Errors.INVALID_REGULAR_EXPRESSION.code());
            }
        }
        Set<TxnState> states = new HashSet<>();
        for (String name : req.stateFilters()) {
            TxnState s = TxnState.forKafkaName(name);
            if (s == null) {
                out.unknownStateFilters().add(name);
            } else {
                states.add(s);
            }
        }
        if (!out.unknownStateFilters().isEmpty() && states.isEmpty()) {
            return out;
        }
        Filter filter = new Filter(states, new HashSet<>(req.producerIdFilters()),
            version >= 1 ? req.durationFilter() : -1L, pattern, ctx.now());
        for (TxnShard shard : ctx.shards.values()) {
            if (shard.loading) {
                out.setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
                continue;
            }
            for (TxnMetadata m : shard.txns.values()) {
                if (filter.matches(m)) {
                    out.transactionStates().add(new ListTransactionsResponseData.TransactionState()
                        .setTransactionalId(m.transactionalId()).setProducerId(m.producerId())
                        .setTransactionState(m.state().kafkaName()));
                }
            }
        }
        out.transactionStates().sort((a, b) -> a.transactionalId().compareTo(b.transactionalId()));
        return out;
    }

    /** The filters of one ListTransactions request; an empty set or a negative duration filters nothing. */
    private record Filter(Set<TxnState> states, Set<Long> producerIds, long durationMs, Pattern pattern, long now) {
        boolean matches(TxnMetadata m) {
            return m.state() != TxnState.DEAD
                && (states.isEmpty() || states.contains(m.state()))
                && (producerIds.isEmpty() || producerIds.contains(m.producerId()))
                && (durationMs < 0 || now - m.txnStartTimestamp() > durationMs)
                && (pattern == null || pattern.matcher(m.transactionalId()).matches());
        }
    }
}
