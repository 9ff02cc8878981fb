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
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.server.DivisionInfo;
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
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
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
 * <p>Only the leader appends (it is the active controller); the append's future completes once the entry is committed
 * and applied on this node. Other nodes send the leader their controller requests through the same group, as Ratis
 * read-only requests ({@link #sendToController}, {@link ControllerRequestClient}). Thread-safe.
 */
public final class RatisMetadataQuorum implements MetadataQuorum {
    private static final Logger LOG = LoggerFactory.getLogger(RatisMetadataQuorum.class);
    /** The storage directory name, as Kafka's metadata log directory is named. */
    public static final String LOG_DIR_NAME = "__cluster_metadata-0";
    private static final long START_TIMEOUT_MS = 60_000;
    /** The largest metadata entry (one controller operation's records), Ratis's default appender byte limit. */
    static final int MAX_ENTRY_BYTES = 4 << 20;
    /** The most an operation's encoded records may take: the rest of an entry holds Raft's own fields. */
    static final int MAX_RECORDS_BYTES = MAX_ENTRY_BYTES - (64 << 10);
    /** Snapshot after this many entries, so a restart replays a bounded log. */
    private static final long SNAPSHOT_THRESHOLD = 10_000;

    private final int nodeId;
    private final Map<Integer, InetSocketAddress> voters;
    /** Where a listener (non-voting) node receives the log; null on a voter. */
    private final InetSocketAddress listenerAddress;
    private final Path storageDir;
    private final RaftGroup group;
    private final long snapshotThreshold;
    private final MetadataStateMachine stateMachine = new MetadataStateMachine();
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong nextCallId = new AtomicLong();
    private volatile RaftServer server;
    private volatile RaftServer.Division division;
    private volatile ControllerRequestClient controllerClient;
    private volatile boolean closed;

    /**
     * @param nodeId     this node's id; must be one of the voters
     * @param voters     the CONTROLLER listener address of every voter, by node id
     * @param metadataDir the directory holding {@value #LOG_DIR_NAME}
     * @param clusterId  the cluster id from which the Ratis group id is derived
     */
    public RatisMetadataQuorum(int nodeId, Map<Integer, InetSocketAddress> voters, Path metadataDir,
            String clusterId) {
        this(nodeId, voters, null, metadataDir, clusterId, SNAPSHOT_THRESHOLD);
    }

    /**
     * A node that is not a voter (a broker-only node): it follows the metadata log as a Ratis listener, receiving
     * it at {@code listenerAddress}, and adds itself to the group's configuration at start. It never leads.
     */
    public static RatisMetadataQuorum listener(int nodeId, InetSocketAddress listenerAddress,
            Map<Integer, InetSocketAddress> voters, Path metadataDir, String clusterId) {
        return listener(nodeId, listenerAddress, voters, metadataDir, clusterId, SNAPSHOT_THRESHOLD);
    }

    static RatisMetadataQuorum listener(int nodeId, InetSocketAddress listenerAddress,
            Map<Integer, InetSocketAddress> voters, Path metadataDir, String clusterId, long snapshotThreshold) {
        return new RatisMetadataQuorum(nodeId, voters, listenerAddress, metadataDir, clusterId, snapshotThreshold);
    }

    /** As the public constructor; {@code snapshotThreshold <= 0} turns automatic snapshots off (for tests). */
    RatisMetadataQuorum(int nodeId, Map<Integer, InetSocketAddress> voters, Path metadataDir, String clusterId,
            long snapshotThreshold) {
        this(nodeId, voters, null, metadataDir, clusterId, snapshotThreshold);
    }

    private RatisMetadataQuorum(int nodeId, Map<Integer, InetSocketAddress> voters, InetSocketAddress listenerAddress,
            Path metadataDir, String clusterId, long snapshotThreshold) {
        this.snapshotThreshold = snapshotThreshold;
        if (listenerAddress == null && !voters.containsKey(nodeId)) {
            throw new IllegalArgumentException("Node " + nodeId + " is not one of the voters " + voters.keySet());
        }
        if (listenerAddress != null && voters.containsKey(nodeId)) {
            throw new IllegalArgumentException("Node " + nodeId + " is a voter, not a listener");
        }
        this.nodeId = nodeId;
        this.voters = new TreeMap<>(voters);
        this.listenerAddress = listenerAddress;
        this.storageDir = metadataDir.resolve(LOG_DIR_NAME);
        List<RaftPeer> peers = peers(this.voters);
        if (listenerAddress != null) {
            peers.add(listenerPeer());
        }
        this.group = RaftGroup.valueOf(groupId(clusterId), peers);
    }

    private RaftPeer listenerPeer() {
        return RaftPeer.newBuilder().setId(peerId(nodeId))
                .setAddress(listenerAddress.getHostString() + ":" + listenerAddress.getPort())
                .setStartupRole(RaftPeerRole.LISTENER).build();
    }

    /**
     * Adds this listener to the group's configuration through the leader (a no-op if it is already there with this
     * address; see {@link ListenerJoin}), retrying until a leader accepts it or the quorum closes.
     */
    private void joinAsListener(RaftProperties properties) throws InterruptedException {
        RaftGroup votersOnly = RaftGroup.valueOf(group.getGroupId(), peers(voters));
        List<Integer> voterIds = new ArrayList<>(voters.keySet());
        long nextLog = System.nanoTime();
        for (int attempt = 0; !closed; attempt++) {
            Optional<String> failure;
            try (RaftClient client = RaftClient.newBuilder().setProperties(properties).setRaftGroup(votersOnly)
                    .build()) {
                failure = ListenerJoin.tryJoin(client, group.getGroupId(),
                        peerId(voterIds.get(attempt % voterIds.size())), listenerPeer());
            } catch (IOException e) {
                failure = Optional.of(e.toString());
            }
            if (failure.isEmpty()) {
                LOG.info("Node {} follows the metadata quorum {} as a listener", nodeId, voters.keySet());
                return;
            }
            if (System.nanoTime() >= nextLog) {
                LOG.info("Node {} could not join the metadata quorum as a listener yet: {}", nodeId, failure.get());
                nextLog = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            }
            Thread.sleep(500);
        }
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
        division = server.getDivision(group.getGroupId());
        controllerClient = new ControllerRequestClient(RaftGroup.valueOf(group.getGroupId(), peers(voters)),
                properties);
        try {
            if (listenerAddress != null) {
                joinAsListener(properties);
            }
            long offset = awaitCaughtUp();
            LOG.info("Metadata quorum started on node {}: caught up to offset {}, leader {}", nodeId, offset,
                    leaderId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while starting the metadata quorum", e);
        } catch (TimeoutException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * Waits until a leader is known and this node has applied everything committed that it knows of: on the leader,
     * an entry of its own term (so every earlier entry); on a follower, its commit index once the leader has been
     * heard from. A single voter gives up after {@value #START_TIMEOUT_MS} ms; a node of a larger quorum waits as
     * long as it takes for a majority to be up, as a Kafka controller does.
     */
    private long awaitCaughtUp() throws InterruptedException, TimeoutException {
        long start = System.nanoTime();
        long nextLog = start + TimeUnit.SECONDS.toNanos(10);
        while (!closed) {
            DivisionInfo info = division.getInfo();
            if (info.getLeaderId() != null) {
                if (info.isLeader() ? isActiveController()
                        : stateMachine.appliedIndex() >= division.getRaftLog().getLastCommittedIndex()
                                && stateMachine.appliedIndex() >= 0) {
                    return stateMachine.image().offset();
                }
            }
            long now = System.nanoTime();
            if (voters.size() == 1 && listenerAddress == null
                    && now - start > TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS)) {
                throw new TimeoutException("Metadata quorum did not catch up within " + START_TIMEOUT_MS + " ms");
            }
            if (now > nextLog) {
                LOG.info("Waiting for the metadata quorum {}: no leader with a majority yet", voters);
                nextLog = now + TimeUnit.SECONDS.toNanos(10);
            }
            Thread.sleep(1);
        }
        throw new TimeoutException("Metadata quorum closed while starting");
    }

    @Override
    public boolean isActiveController() {
        RaftServer.Division current = division;
        if (current == null || closed) {
            return false;
        }
        DivisionInfo info = current.getInfo();
        // An applied entry of the leader's own term means every entry of earlier terms is applied too.
        return info.isLeader() && info.isLeaderReady() && stateMachine.appliedTerm() == info.getCurrentTerm();
    }

    /** Whether this node's Raft server runs (Ratis may close it on its own after a fatal error). */
    @Override
    public boolean isRunning() {
        RaftServer current = server;
        return current != null && !closed && current.getLifeCycleState().isRunning();
    }

    @Override
    public int leaderId() {
        RaftServer.Division current = division;
        RaftPeerId leader = current == null ? null : current.getInfo().getLeaderId();
        return leader == null ? -1 : nodeIdOf(leader);
    }

    @Override
    public java.util.Optional<QuorumState> describe() {
        RaftServer.Division current = division;
        if (current == null || closed || !current.getInfo().isLeader()) {
            return java.util.Optional.empty();
        }
        Map<Integer, Long> offsets = new TreeMap<>();
        voters.keySet().forEach(id -> offsets.put(id, -1L));
        current.getCommitInfos().forEach(info -> {
            int id = nodeIdOf(RaftPeerId.valueOf(info.getServer().getId()));
            if (offsets.containsKey(id)) {
                offsets.put(id, info.getCommitIndex());
            }
        });
        return java.util.Optional.of(new QuorumState(nodeId, current.getInfo().getCurrentTerm(),
                current.getRaftLog().getLastCommittedIndex(), offsets));
    }

    private static int nodeIdOf(RaftPeerId peer) {
        String id = peer.toString();
        try {
            return Integer.parseInt(id.substring(id.indexOf('-') + 1));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private RaftProperties properties() {
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.NETTY);
        InetSocketAddress self = listenerAddress != null ? listenerAddress : voters.get(nodeId);
        NettyConfigKeys.Server.setHost(properties, self.getHostString());
        NettyConfigKeys.Server.setPort(properties, self.getPort());
        // The quorum carries a few small messages a second, which NIO serves as well as epoll; Ratis's Netty loads
        // its native epoll library by copying it out of its jar into a temporary file, at every start (25 ms).
        NettyConfigKeys.Server.setUseEpoll(properties, false);
        NettyConfigKeys.Client.setUseEpoll(properties, false);
        RaftServerConfigKeys.setStorageDir(properties, List.of(storageDir.toFile()));
        // Read-only requests carry controller requests (ControllerRequestClient). With DEFAULT a node that does not
        // lead refuses them (NotLeaderException); LINEARIZABLE would let a follower serve them after a read index.
        RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.DEFAULT);
        if (voters.size() == 1) {
            // Nobody else can vote: the first election need not wait for anyone.
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(properties, millis(1));
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(properties, millis(5));
            RaftServerConfigKeys.Rpc.setTimeoutMin(properties, millis(150));
            RaftServerConfigKeys.Rpc.setTimeoutMax(properties, millis(300));
        } else {
            // Kafka's controller.quorum.election.timeout.ms is 1000: shorter timeouts on a loaded machine (a GC
            // pause, a slow disk) depose healthy leaders and fail the controller operations in flight.
            RaftServerConfigKeys.Rpc.setTimeoutMin(properties, millis(1000));
            RaftServerConfigKeys.Rpc.setTimeoutMax(properties, millis(2000));
        }
        // Ratis closes a server that was paused for longer than this (a SIGSTOP, a long GC); the node would then go
        // on without its metadata. A paused voter is just a slow follower once it runs again.
        RaftServerConfigKeys.setCloseThreshold(properties, TimeDuration.valueOf(1, TimeUnit.DAYS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, snapshotThreshold > 0);
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(properties, snapshotThreshold > 0);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, Math.max(1, snapshotThreshold));
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf("8MB"));
        RaftServerConfigKeys.Log.setPreallocatedSize(properties, SizeInBytes.valueOf("1MB"));
        // Ratis refuses an entry above the appender's byte limit (a request that would create thousands of topics
        // with their configs fails, and the quorum goes on), so the log's write buffer needs only that much room.
        // Its default of 8 MB is zeroed at every start: some 30 ms on a small machine.
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(properties, SizeInBytes.valueOf(MAX_ENTRY_BYTES));
        RaftServerConfigKeys.Log.setWriteBufferSize(properties, SizeInBytes.valueOf(MAX_ENTRY_BYTES + 8));
        return properties;
    }

    private static TimeDuration millis(long ms) {
        return TimeDuration.valueOf(ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Appends through this node's own Raft division, never through another node: only the active controller
     * appends, and a node that lost the leadership after validating an operation must not have its records
     * committed by the new leader. Fails with {@link NotControllerException} when this node is not the leader.
     */
    @Override
    public CompletableFuture<Long> append(List<MetadataRecord> records) {
        RaftServer current = server;
        if (current == null || closed) {
            return CompletableFuture.failedFuture(new NotControllerException("The metadata quorum is not running"));
        }
        byte[] encoded = MetadataRecordSerde.encode(records);
        if (encoded.length > MAX_RECORDS_BYTES) {
            // Ratis would refuse the entry too, but only after the leader has failed to append it and stepped down.
            return CompletableFuture.failedFuture(new MetadataTooLargeException("The operation's " + records.size()
                    + " metadata records take " + encoded.length + " bytes, more than one entry may hold ("
                    + MAX_RECORDS_BYTES + ")"));
        }
        Message message = Message.valueOf(ByteString.copyFrom(encoded));
        RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId)
                .setServerId(peerId(nodeId)).setGroupId(group.getGroupId()).setCallId(nextCallId.incrementAndGet())
                .setMessage(message).setType(RaftClientRequest.writeRequestType()).build();
        CompletableFuture<RaftClientReply> reply;
        try {
            reply = current.submitClientRequestAsync(request);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new NotControllerException("Metadata append failed", e));
        }
        return reply.handle((r, error) -> error == null ? afterReply(r)
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
    public CompletableFuture<byte[]> sendToController(int leaderId, byte[] request) {
        ControllerRequestClient client = controllerClient;
        if (client == null || closed) {
            return CompletableFuture.failedFuture(new NotControllerException("The metadata quorum is not running"));
        }
        if (!voters.containsKey(leaderId)) {
            return CompletableFuture.failedFuture(new NotControllerException("Node " + leaderId + " is not a voter"));
        }
        return client.send(peerId(leaderId), request);
    }

    /** Must be set before {@link #start}, so that a node never leads without serving controller requests. */
    @Override
    public void serveControllerRequests(ControllerRequestHandler handler) {
        stateMachine.serveControllerRequests(handler);
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
        closeQuietly(controllerClient, "controller request client");
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
