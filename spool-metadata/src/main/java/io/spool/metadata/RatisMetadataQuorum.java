package io.spool.metadata;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata log as an Apache Ratis group of the controller voters, over Ratis's Netty transport. Each voter
 * listens on its CONTROLLER listener address; the group id is derived from the cluster id, so every node of a
 * cluster computes the same group. The Ratis log and snapshots live in {@code metadataDir/__cluster_metadata-0}.
 * A single voter is a quorum of one and elects itself within a few hundred milliseconds.
 *
 * <p>Appends go through a Ratis client to the leader (on any voter); the append's future completes once the entry
 * is committed and applied on this node. Thread-safe.
 */
public final class RatisMetadataQuorum implements MetadataQuorum {
    private static final Logger LOG = LoggerFactory.getLogger(RatisMetadataQuorum.class);
    /** The storage directory name, as Kafka's metadata log directory is named. */
    public static final String LOG_DIR_NAME = "__cluster_metadata-0";
    private static final long START_TIMEOUT_MS = 60_000;
    /** Snapshot after this many entries, so a restart replays a bounded log. */
    private static final long SNAPSHOT_THRESHOLD = 10_000;

    private final int nodeId;
    private final Map<Integer, InetSocketAddress> voters;
    private final Path storageDir;
    private final RaftGroup group;
    private final long snapshotThreshold;
    private final MetadataStateMachine stateMachine = new MetadataStateMachine();
    private volatile RaftServer server;
    private volatile RaftClient client;
    private volatile boolean closed;

    /**
     * @param nodeId     this node's id; must be one of the voters
     * @param voters     the CONTROLLER listener address of every voter, by node id
     * @param metadataDir the directory holding {@value #LOG_DIR_NAME}
     * @param clusterId  the cluster id from which the Ratis group id is derived
     */
    public RatisMetadataQuorum(int nodeId, Map<Integer, InetSocketAddress> voters, Path metadataDir,
            String clusterId) {
        this(nodeId, voters, metadataDir, clusterId, SNAPSHOT_THRESHOLD);
    }

    /** As the public constructor; {@code snapshotThreshold <= 0} turns automatic snapshots off (for tests). */
    RatisMetadataQuorum(int nodeId, Map<Integer, InetSocketAddress> voters, Path metadataDir, String clusterId,
            long snapshotThreshold) {
        this.snapshotThreshold = snapshotThreshold;
        if (!voters.containsKey(nodeId)) {
            throw new IllegalArgumentException("Node " + nodeId + " is not one of the voters " + voters.keySet());
        }
        this.nodeId = nodeId;
        this.voters = new TreeMap<>(voters);
        this.storageDir = metadataDir.resolve(LOG_DIR_NAME);
        this.group = RaftGroup.valueOf(groupId(clusterId), peers(this.voters));
    }

    /** The Ratis group id of a cluster: a name-based UUID of the cluster id. */
    static RaftGroupId groupId(String clusterId) {
        Objects.requireNonNull(clusterId, "clusterId");
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(
                ("spool-cluster-metadata:" + clusterId).getBytes(StandardCharsets.UTF_8)));
    }

    private static List<RaftPeer> peers(Map<Integer, InetSocketAddress> voters) {
        List<RaftPeer> peers = new ArrayList<>();
        voters.forEach((id, address) -> peers.add(RaftPeer.newBuilder().setId(peerId(id))
                .setAddress(address.getHostString() + ":" + address.getPort()).build()));
        return peers;
    }

    private static RaftPeerId peerId(int nodeId) {
        return RaftPeerId.valueOf("node-" + nodeId);
    }

    @Override
    public synchronized void start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("Already started");
        }
        Files.createDirectories(storageDir);
        RaftProperties properties = properties();
        server = RaftServer.newBuilder().setServerId(peerId(nodeId)).setGroup(group).setProperties(properties)
                .setStateMachine(stateMachine).setOption(RaftStorage.StartupOption.RECOVER).build();
        server.start();
        client = RaftClient.newBuilder().setProperties(properties).setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(300,
                        TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
        try {
            awaitLeader();
            long offset = append(List.of(NoOpRecord.INSTANCE)).get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            LOG.info("Metadata quorum started on node {}: caught up to offset {}", nodeId, offset);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while starting the metadata quorum", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("Metadata quorum did not catch up within " + START_TIMEOUT_MS + " ms", e);
        }
    }

    /**
     * Waits until this node knows a leader, so that the first append is not refused while the group is still
     * electing (the client would retry, but logs each refusal as an error).
     */
    private void awaitLeader() throws IOException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        RaftServer.Division division = server.getDivision(group.getGroupId());
        while (division.getInfo().getLeaderId() == null
                || (division.getInfo().isLeader() && !division.getInfo().isLeaderReady())) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("No metadata quorum leader within " + START_TIMEOUT_MS + " ms");
            }
            Thread.sleep(10);
        }
    }

    private RaftProperties properties() {
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.NETTY);
        InetSocketAddress self = voters.get(nodeId);
        NettyConfigKeys.Server.setHost(properties, self.getHostString());
        NettyConfigKeys.Server.setPort(properties, self.getPort());
        RaftServerConfigKeys.setStorageDir(properties, List.of(storageDir.toFile()));
        if (voters.size() == 1) {
            // Nobody else can vote: the first election only has to wait long enough for the server to be up.
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(properties, millis(20));
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(properties, millis(50));
        }
        // Applying a batch runs the listeners (a broker creates the logs of new partitions there), which can take
        // seconds for a topic with hundreds of partitions; a client timeout below that only causes retries.
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, millis(30_000));
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, millis(150));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, millis(300));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, snapshotThreshold > 0);
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(properties, snapshotThreshold > 0);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, Math.max(1, snapshotThreshold));
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf("8MB"));
        RaftServerConfigKeys.Log.setPreallocatedSize(properties, SizeInBytes.valueOf("1MB"));
        return properties;
    }

    private static TimeDuration millis(long ms) {
        return TimeDuration.valueOf(ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletableFuture<Long> append(List<MetadataRecord> records) {
        RaftClient current = client;
        if (current == null || closed) {
            return CompletableFuture.failedFuture(new NotControllerException("The metadata quorum is not running"));
        }
        Message message = Message.valueOf(ByteString.copyFrom(MetadataRecordSerde.encode(records)));
        return current.async().send(message).handle((reply, error) -> error == null ? afterReply(reply)
                : CompletableFuture.<Long>failedFuture(new NotControllerException("Metadata append failed", error)))
                .thenCompose(future -> future);
    }

    private CompletableFuture<Long> afterReply(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            Exception cause = reply.getException();
            return CompletableFuture.failedFuture(cause instanceof NotLeaderException
                    || cause instanceof RaftRetryFailureException
                    ? new NotControllerException("Metadata append was not committed", cause)
                    : new MetadataException("Metadata append failed", cause));
        }
        long index = reply.getLogIndex();
        return stateMachine.whenApplied(index).thenApply(ignored -> index);
    }

    @Override
    public MetadataImage image() {
        return stateMachine.image();
    }

    @Override
    public void addListener(MetadataListener listener) {
        stateMachine.addListener(listener);
    }

    /** Writes a snapshot of the current image now (normally Ratis does so every {@value #SNAPSHOT_THRESHOLD}). */
    long takeSnapshot() throws IOException {
        return stateMachine.takeSnapshot();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stateMachine.failWaiters(new NotControllerException("The metadata quorum is closing"));
        closeQuietly(client, "client");
        closeQuietly(server, "server");
    }

    private static void closeQuietly(AutoCloseable closeable, String what) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("Failed to close the metadata quorum's Ratis {}", what, e);
        }
    }
}
