package io.spool.broker.fetch;

import io.spool.broker.handler.BrokerContext;
import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.protocol.KafkaRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Fetch for consumers: incremental fetch sessions (KIP-227), topic ids from v13, response and partition byte
 * limits, and long polling: a fetch that finds fewer than min.bytes waits, without holding a thread, until a high
 * watermark it reads moves or max.wait.ms passes.
 *
 * <p>Top-level errors: FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH. Partition errors: see
 * {@link PartitionReader}.
 */
public final class FetchHandler implements RequestHandler {
    static final int FINAL_EPOCH = -1;
    static final int INITIAL_EPOCH = 0;

    private final BrokerContext broker;
    private final FetchSessionCache sessions;
    private final PartitionReader reader;

    public FetchHandler(BrokerContext broker, int maxSessions) {
        this.broker = broker;
        this.sessions = new FetchSessionCache(maxSessions);
        this.reader = new PartitionReader(broker);
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        FetchRequestData data = request.body();
        boolean byId = request.apiVersion() >= 13;
        int replicaId = request.apiVersion() >= 15 ? data.replicaState().replicaId() : data.replicaId();
        if (replicaId >= 0) {
            return replicaFetch(request, data, byId, replicaId, connection);
        }
        long now = broker.clock().millis();
        FetchPlan plan;
        int sessionId = data.sessionId();
        int epoch = data.sessionEpoch();
        if (sessionId == 0 && epoch == FINAL_EPOCH) {
            plan = FetchPlan.sessionless(collect(data, byId, new FetchSession(0, now)));
        } else if (epoch == INITIAL_EPOCH || (sessionId != 0 && epoch == FINAL_EPOCH)) {
            if (sessionId != 0) {
                sessions.remove(sessionId);
            }
            FetchSession session = epoch == INITIAL_EPOCH ? sessions.create(now) : null;
            FetchSession holder = session == null ? new FetchSession(0, now) : session;
            List<FetchSession.Entry> entries = collect(data, byId, holder);
            plan = session == null ? FetchPlan.sessionless(entries) : FetchPlan.full(session, entries);
        } else if (sessionId == 0) {
            return errorResponse(Errors.INVALID_FETCH_SESSION_EPOCH);
        } else {
            FetchSession session = sessions.get(sessionId);
            if (session == null) {
                return errorResponse(Errors.FETCH_SESSION_ID_NOT_FOUND);
            }
            if (session.nextEpoch() != epoch) {
                return errorResponse(Errors.INVALID_FETCH_SESSION_EPOCH);
            }
            collect(data, byId, session);
            for (ForgottenTopic forgotten : data.forgottenTopicsData()) {
                for (int partition : forgotten.partitions()) {
                    session.remove(key(byId, forgotten.topicId(), forgotten.topic(), partition));
                }
            }
            plan = FetchPlan.incremental(session, session.entries());
        }
        if (plan.session() != null) {
            plan.session().advanceEpoch(now);
        }
        int maxBytes = Math.min(data.maxBytes(), broker.config().getInt("fetch.max.bytes"));
        DelayedFetch fetch = new DelayedFetch(plan, reader.forConsumer(request.apiVersion(), data.rackId(),
                data.isolationLevel()), maxBytes,
                Math.max(1, data.minBytes()), connection);
        return fetch.start(Math.max(0, data.maxWaitMs()));
    }

    /**
     * A follower's fetch: sessionless, read up to the log end rather than the high watermark, checked for a
     * diverging epoch, and waiting for the log end (not the high watermark) to move.
     */
    private CompletionStage<ApiMessage> replicaFetch(KafkaRequest request, FetchRequestData data, boolean byId,
            int replicaId, ConnectionInfo connection) {
        if (data.sessionId() != 0 || data.sessionEpoch() != FINAL_EPOCH) {
            return errorResponse(Errors.INVALID_FETCH_SESSION_EPOCH);
        }
        long now = broker.clock().millis();
        List<FetchSession.Entry> entries = collect(data, byId, new FetchSession(0, now));
        int maxBytes = Math.min(data.maxBytes(), broker.config().getInt("fetch.max.bytes"));
        DelayedFetch fetch = new DelayedFetch(FetchPlan.sessionless(entries), reader.forReplica(replicaId,
                request.apiVersion() >= 15 ? data.replicaState().replicaEpoch() : -1), maxBytes,
                Math.max(1, data.minBytes()), connection);
        return fetch.start(Math.max(0, data.maxWaitMs()));
    }

    private static List<FetchSession.Entry> collect(FetchRequestData data, boolean byId, FetchSession session) {
        List<FetchSession.Entry> entries = new ArrayList<>();
        for (FetchTopic topic : data.topics()) {
            for (FetchPartition p : topic.partitions()) {
                FetchSession.Entry entry = session.upsert(key(byId, topic.topicId(), topic.topic(), p.partition()));
                entry.fetchOffset = p.fetchOffset();
                entry.maxBytes = Math.max(0, p.partitionMaxBytes());
                entry.currentLeaderEpoch = p.currentLeaderEpoch();
                entry.lastFetchedEpoch = p.lastFetchedEpoch();
                entry.replicaLogStartOffset = p.logStartOffset();
                entries.add(entry);
            }
        }
        return entries;
    }

    private static FetchKey key(boolean byId, Uuid topicId, String topic, int partition) {
        return byId ? new FetchKey(topicId, null, partition) : new FetchKey(Uuid.ZERO_UUID, topic, partition);
    }

    private static CompletionStage<ApiMessage> errorResponse(Errors error) {
        return CompletableFuture.completedFuture(new FetchResponseData().setErrorCode(error.code()).setSessionId(0));
    }
}
