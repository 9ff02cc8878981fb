package io.spool.coordinator;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/** A member of a classic group, with the join or sync request it may be waiting on. Guarded by the coordinator lock. */
final class ClassicMember {

    final String memberId;
    final String instanceId;
    final String clientId;
    final String clientHost;
    final String protocolType;
    int rebalanceTimeoutMs;
    int sessionTimeoutMs;
    /** protocol name to metadata, in the member's order of preference */
    Map<String, byte[]> protocols;
    byte[] assignment = new byte[0];
    boolean isNew;
    CompletableFuture<JoinGroupResponseData> joinFuture;
    CompletableFuture<SyncGroupResponseData> syncFuture;

    ClassicMember(String memberId, String instanceId, String clientId, String clientHost, int rebalanceTimeoutMs,
                  int sessionTimeoutMs, String protocolType, Map<String, byte[]> protocols) {
        this.memberId = memberId;
        this.instanceId = instanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocolType = protocolType;
        this.protocols = new LinkedHashMap<>(protocols);
    }

    ClassicMember withMemberId(String newMemberId) {
        ClassicMember m = new ClassicMember(newMemberId, instanceId, clientId, clientHost, rebalanceTimeoutMs,
            sessionTimeoutMs, protocolType, protocols);
        m.assignment = assignment;
        return m;
    }

    boolean isAwaitingJoin() {
        return joinFuture != null;
    }

    boolean isAwaitingSync() {
        return syncFuture != null;
    }

    boolean isStatic() {
        return instanceId != null;
    }

    /** A member that waits on the coordinator is not expired by its heartbeat timer, unless it is new. */
    boolean hasSatisfiedHeartbeat() {
        return !isNew && (isAwaitingJoin() || isAwaitingSync());
    }

    /** Same protocols, same metadata, same order. */
    boolean matches(Map<String, byte[]> other) {
        if (other.size() != protocols.size()) {
            return false;
        }
        var a = protocols.entrySet().iterator();
        var b = other.entrySet().iterator();
        while (a.hasNext()) {
            var x = a.next();
            var y = b.next();
            if (!x.getKey().equals(y.getKey()) || !Arrays.equals(x.getValue(), y.getValue())) {
                return false;
            }
        }
        return true;
    }

    byte[] metadata(String protocol) {
        byte[] m = protocols.get(protocol);
        return m == null ? new byte[0] : m;
    }

    boolean completeJoin(JoinGroupResponseData response) {
        CompletableFuture<JoinGroupResponseData> f = joinFuture;
        joinFuture = null;
        return f != null && f.complete(response);
    }

    boolean completeSync(SyncGroupResponseData response) {
        CompletableFuture<SyncGroupResponseData> f = syncFuture;
        syncFuture = null;
        return f != null && f.complete(response);
    }
}
