package io.spool.broker.group;

import io.spool.broker.network.RequestDispatcher;
import io.spool.coordinator.GroupCoordinator;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Registers the group APIs, each served by the group coordinator; the table of versions is what the coordinator
 * implements. Stateless.
 */
public final class GroupApis {
    private GroupApis() {
    }

    public static void register(RequestDispatcher.Builder builder, GroupCoordinator c) {
        builder.register(ApiKeys.JOIN_GROUP, 0, 9, (r, conn) ->
                        up(c.joinGroup(r.body(), r.apiVersion(), r.clientId(), host(conn.remoteAddress()))))
                .register(ApiKeys.SYNC_GROUP, 0, 5, (r, conn) ->
                        up(c.syncGroup(r.body(), r.apiVersion(), r.clientId(), host(conn.remoteAddress()))))
                .register(ApiKeys.HEARTBEAT, 0, 4, (r, conn) ->
                        up(c.heartbeat(r.body(), r.apiVersion(), r.clientId(), host(conn.remoteAddress()))))
                .register(ApiKeys.LEAVE_GROUP, 0, 5, (r, conn) ->
                        up(c.leaveGroup(r.body(), r.apiVersion(), r.clientId(), host(conn.remoteAddress()))))
                .register(ApiKeys.OFFSET_COMMIT, 2, 10, (r, conn) -> up(c.commitOffsets(r.body(), r.apiVersion())))
                .register(ApiKeys.OFFSET_FETCH, 1, 10, (r, conn) -> up(c.fetchOffsets(r.body(), r.apiVersion())))
                .register(ApiKeys.OFFSET_DELETE, 0, 0, (r, conn) -> up(c.deleteOffsets(r.body(), r.apiVersion())))
                .register(ApiKeys.DESCRIBE_GROUPS, 0, 6, (r, conn) -> up(c.describeGroups(r.body(), r.apiVersion())))
                .register(ApiKeys.LIST_GROUPS, 0, 5, (r, conn) -> up(c.listGroups(r.body(), r.apiVersion())))
                .register(ApiKeys.DELETE_GROUPS, 0, 3, (r, conn) -> up(c.deleteGroups(r.body(), r.apiVersion())))
                .register(ApiKeys.CONSUMER_GROUP_HEARTBEAT, 0, 1, (r, conn) -> up(c.consumerGroupHeartbeat(r.body(),
                        r.apiVersion(), r.clientId(), host(conn.remoteAddress()))))
                .register(ApiKeys.CONSUMER_GROUP_DESCRIBE, 0, 1, (r, conn) ->
                        up(c.consumerGroupDescribe(r.body(), r.apiVersion())));
    }

    private static CompletionStage<ApiMessage> up(CompletableFuture<? extends ApiMessage> response) {
        return response.thenApply(ApiMessage.class::cast);
    }

    /** The client host as Kafka reports it in group descriptions: "/" and the address. */
    private static String host(InetSocketAddress address) {
        return "/" + address.getAddress().getHostAddress();
    }
}
