package io.spool.broker.fetch;

import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.replica.Partition;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * One fetch, possibly waiting: it reads its partitions, and if that yields fewer than min.bytes it watches their
 * high watermarks and reads again when one moves, answering once min.bytes is there or max.wait.ms has passed.
 * All reads and the completion run on the connection's event loop; watchers only schedule work there.
 */
final class DelayedFetch {
    private final FetchPlan plan;
    private final PartitionReader reader;
    private final int maxBytes;
    private final int minBytes;
    private final ConnectionInfo connection;
    private final CompletableFuture<ApiMessage> result = new CompletableFuture<>();
    private final List<Partition> watched = new ArrayList<>();
    private final Runnable onHighWatermark = this::scheduleRecheck;
    private ScheduledFuture<?> timeout;
    private final java.util.concurrent.atomic.AtomicBoolean recheckScheduled =
            new java.util.concurrent.atomic.AtomicBoolean();

    DelayedFetch(FetchPlan plan, PartitionReader reader, int maxBytes, int minBytes, ConnectionInfo connection) {
        this.plan = plan;
        this.reader = reader;
        this.maxBytes = maxBytes;
        this.minBytes = minBytes;
        this.connection = connection;
    }

    CompletableFuture<ApiMessage> start(int maxWaitMs) {
        Reading reading = readAll();
        if (maxWaitMs == 0 || reading.bytes >= minBytes || reading.hasError || plan.entries().isEmpty()) {
            complete(reading);
            return result;
        }
        for (FetchSession.Entry entry : plan.entries()) {
            reader.partitionOf(entry).ifPresent(p -> {
                watched.add(p);
                if (reader.watchesLogEnd()) {
                    p.watchLogEnd(onHighWatermark);
                } else {
                    p.watchHighWatermark(onHighWatermark);
                }
            });
        }
        timeout = connection.executor().schedule(this::expire, maxWaitMs, TimeUnit.MILLISECONDS);
        // A write may have landed between the read and registering the watchers.
        scheduleRecheck();
        return result;
    }

    private void scheduleRecheck() {
        if (!recheckScheduled.compareAndSet(false, true)) {
            return;
        }
        connection.executor().execute(() -> {
            recheckScheduled.set(false);
            if (result.isDone()) {
                return;
            }
            Reading reading = readAll();
            if (reading.bytes >= minBytes || reading.hasError) {
                complete(reading);
            }
        });
    }

    private void expire() {
        if (!result.isDone()) {
            complete(readAll());
        }
    }

    private void complete(Reading reading) {
        for (Partition p : watched) {
            p.unwatchHighWatermark(onHighWatermark);
            p.unwatchLogEnd(onHighWatermark);
        }
        if (timeout != null) {
            timeout.cancel(false);
        }
        result.complete(respond(reading));
    }

    private record Reading(List<PartitionData> partitions, int bytes, boolean hasError) {
    }

    private Reading readAll() {
        List<PartitionData> out = new ArrayList<>(plan.entries().size());
        int bytes = 0;
        boolean hasError = false;
        for (FetchSession.Entry entry : plan.entries()) {
            int limit = Math.min(entry.maxBytes, Math.max(0, maxBytes - bytes));
            PartitionData data = limit == 0 && bytes > 0
                    ? reader.read(entry, 0, false)
                    : reader.read(entry, limit, bytes == 0);
            bytes += data.records().sizeInBytes();
            hasError |= data.errorCode() != Errors.NONE.code();
            out.add(data);
        }
        return new Reading(out, bytes, hasError);
    }

    private FetchResponseData respond(Reading reading) {
        FetchResponseData response = new FetchResponseData().setErrorCode(Errors.NONE.code())
                .setSessionId(plan.responseSessionId());
        List<FetchKey> served = new ArrayList<>();
        FetchableTopicResponse current = null;
        for (int i = 0; i < reading.partitions.size(); i++) {
            FetchSession.Entry entry = plan.entries().get(i);
            PartitionData data = reading.partitions.get(i);
            boolean changed = data.records().sizeInBytes() > 0 || data.errorCode() != entry.lastError
                    || data.highWatermark() != entry.lastHighWatermark
                    || data.logStartOffset() != entry.lastLogStartOffset;
            entry.lastHighWatermark = data.highWatermark();
            entry.lastLogStartOffset = data.logStartOffset();
            entry.lastError = data.errorCode();
            if (data.records().sizeInBytes() > 0) {
                served.add(entry.key);
            }
            if (!plan.full() && !changed) {
                continue;
            }
            if (current == null || !sameTopic(current, entry)) {
                current = new FetchableTopicResponse()
                        .setTopic(entry.key.topic() == null ? "" : entry.key.topic())
                        .setTopicId(entry.key.topicId());
                response.responses().add(current);
            }
            current.partitions().add(data);
        }
        if (plan.session() != null) {
            plan.session().rotate(served);
        }
        return response;
    }

    private static boolean sameTopic(FetchableTopicResponse response, FetchSession.Entry entry) {
        return entry.key.topic() == null ? response.topicId().equals(entry.key.topicId())
                : response.topic().equals(entry.key.topic());
    }
}
