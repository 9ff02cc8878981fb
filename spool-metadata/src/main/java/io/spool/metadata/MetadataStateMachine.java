package io.spool.metadata;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of the metadata log: each committed entry is one {@link MetadataRecordSerde} batch, folded
 * into a {@link MetadataDelta} whose image is published (volatile) before listeners are told.
 *
 * <p>Snapshot file ({@code snapshot.<term>_<index>} in the state machine directory):
 * <pre>
 * imageOffset:int64  batch:MetadataRecordSerde   (the records of MetadataImage#toRecords)
 * </pre>
 * It is written to a temporary file, fsynced and renamed, so a crash leaves either the old or the new snapshot; a
 * snapshot that fails its checksum stops the start with {@link CorruptMetadataException}.
 *
 * <p>Read-only requests are not reads of the image: they are controller requests carried to the leader (see
 * {@link ControllerRequestClient}), handed to the {@link ControllerRequestHandler} in {@link #query}.
 *
 * <p>Threading: Ratis calls {@code applyTransaction}, {@code notifyTermIndexUpdated} and {@code takeSnapshot} on its
 * single state-machine updater thread, which is the apply thread listeners run on; {@code query} on a server thread;
 * {@link #image()} and {@link #whenApplied} may be called from any thread.
 */
final class MetadataStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private volatile MetadataImage image = MetadataImage.EMPTY;
    /** Futures waiting for a log index to be applied, by index; guarded by itself. */
    private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();
    private volatile long appliedIndex = -1;
    private volatile ControllerRequestHandler controllerRequests;

    MetadataImage image() {
        return image;
    }

    /** The index of the last entry applied on this node (of any kind), -1 before the first. */
    long appliedIndex() {
        return appliedIndex;
    }

    /** The term of the last entry applied on this node, -1 before the first. */
    long appliedTerm() {
        TermIndex last = getLastAppliedTermIndex();
        return last == null ? -1 : last.getTerm();
    }

    void addListener(MetadataListener listener) {
        listeners.add(listener);
    }

    void serveControllerRequests(ControllerRequestHandler handler) {
        controllerRequests = handler;
    }

    /**
     * A controller request sent to this node as the quorum's leader (Ratis refuses read-only requests on other
     * nodes); answered by the controller request handler, asynchronously. A node without one (not running a
     * controller) fails the request, and the sender tries again.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        ControllerRequestHandler handler = controllerRequests;
        if (handler == null) {
            return CompletableFuture.failedFuture(new NotControllerException("This node serves no controller"));
        }
        try {
            return handler.handle(request.getContent().toByteArray())
                    .thenApply(answer -> Message.valueOf(ByteString.copyFrom(answer)));
        } catch (RuntimeException e) {
            LOG.error("Controller request handler failed", e);
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Completes once the entry at {@code index} (of any kind) has been applied on this node. */
    CompletableFuture<Void> whenApplied(long index) {
        synchronized (waiters) {
            if (appliedIndex >= index) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> future = new CompletableFuture<>();
            waiters.computeIfAbsent(index, i -> new ArrayList<>()).add(future);
            return future;
        }
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        loadSnapshot(storage.loadLatestSnapshot());
    }

    /**
     * Ratis pauses the state machine before it installs a snapshot sent by the leader (a node too far behind for
     * the leader's log, which was purged up to a snapshot), then calls {@link #reinitialize}.
     */
    @Override
    public void pause() {
        LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.getCurrentState() == LifeCycle.State.NEW) {
            lifeCycle.transition(LifeCycle.State.STARTING);
            lifeCycle.transition(LifeCycle.State.RUNNING);
        }
        if (lifeCycle.getCurrentState() == LifeCycle.State.RUNNING) {
            lifeCycle.transition(LifeCycle.State.PAUSING);
            lifeCycle.transition(LifeCycle.State.PAUSED);
        }
    }

    /** Loads the newest snapshot (one just installed from the leader) and runs again. */
    @Override
    public void reinitialize() throws IOException {
        loadSnapshot(storage.loadLatestSnapshot());
        LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.getCurrentState() == LifeCycle.State.PAUSED) {
            lifeCycle.transition(LifeCycle.State.STARTING);
            lifeCycle.transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        try {
            List<MetadataRecord> records = MetadataRecordSerde.decode(
                    entry.getStateMachineLogEntry().getLogData().toByteArray());
            MetadataDelta delta = new MetadataDelta(image);
            records.forEach(delta::replay);
            publish(delta.apply(entry.getIndex()), delta);
        } catch (RuntimeException e) {
            // A committed entry that cannot be applied means corruption or a controller bug; applying later
            // entries over a wrong image would spread it, so this node stops applying.
            LOG.error("Cannot apply metadata log entry {}", entry.getIndex(), e);
            return CompletableFuture.failedFuture(e);
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        markApplied(entry.getIndex());
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    private void publish(MetadataImage newImage, MetadataDelta delta) {
        image = newImage;
        for (MetadataListener listener : listeners) {
            try {
                listener.onImage(newImage, delta);
            } catch (RuntimeException e) {
                LOG.error("Metadata listener {} failed on image at offset {}", listener, newImage.offset(), e);
            }
        }
    }

    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        super.notifyTermIndexUpdated(term, index);
        markApplied(index);
    }

    private void markApplied(long index) {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        synchronized (waiters) {
            appliedIndex = Math.max(appliedIndex, index);
            Map<Long, List<CompletableFuture<Void>>> head = waiters.headMap(index, true);
            head.values().forEach(ready::addAll);
            head.clear();
        }
        ready.forEach(f -> f.complete(null));
    }

    /** Fails every waiter: the quorum is closing. */
    void failWaiters(RuntimeException reason) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        synchronized (waiters) {
            waiters.values().forEach(all::addAll);
            waiters.clear();
        }
        all.forEach(f -> f.completeExceptionally(reason));
    }

    @Override
    public long takeSnapshot() throws IOException {
        MetadataImage snapshotImage = image;
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return RaftLog.INVALID;
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Path tmp = file.toPath().resolveSibling(file.getName() + ".tmp");
        try (OutputStream fileOut = Files.newOutputStream(tmp);
             DataOutputStream out = new DataOutputStream(fileOut)) {
            out.writeLong(snapshotImage.offset());
            out.write(MetadataRecordSerde.encode(snapshotImage.toRecords()));
        }
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(tmp, file.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), null), last));
        LOG.info("Wrote metadata snapshot at index {} (image offset {})", last.getIndex(), snapshotImage.offset());
        return last.getIndex();
    }

    private void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        Path path = snapshot.getFile().getPath();
        byte[] bytes = Files.readAllBytes(path);
        if (bytes.length < 8) {
            throw new CorruptMetadataException("Metadata snapshot " + path + " is truncated");
        }
        long offset;
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes, 0, 8))) {
            offset = in.readLong();
        }
        if (offset < -1 || offset > snapshot.getIndex()) {
            throw new CorruptMetadataException("Metadata snapshot " + path + " has image offset " + offset
                    + " beyond its index " + snapshot.getIndex());
        }
        byte[] batch = java.util.Arrays.copyOfRange(bytes, 8, bytes.length);
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        MetadataRecordSerde.decode(batch).forEach(delta::replay);
        publish(delta.apply(offset), delta);
        setLastAppliedTermIndex(snapshot.getTermIndex());
        markApplied(snapshot.getIndex());
        LOG.info("Loaded metadata snapshot {} (image offset {})", path, offset);
    }

    /** Ratis's marker for "no snapshot taken". */
    private static final class RaftLog {
        static final long INVALID = -1;
    }
}
