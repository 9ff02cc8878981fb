package io.spool.metadata;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory metadata log of one node for unit tests: appends are encoded, decoded and applied at once on the
 * caller's thread (under a lock, so in order). {@link #failAppends} makes the next appends fail;
 * {@link #setActiveController} makes this node lose or regain the active controller's role.
 */
final class LocalMetadataQuorum implements MetadataQuorum {
    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private final List<List<MetadataRecord>> log = new CopyOnWriteArrayList<>();
    private volatile MetadataImage image = MetadataImage.EMPTY;
    private volatile RuntimeException appendFailure;
    private volatile boolean activeController = true;

    @Override
    public void start() {
    }

    @Override
    public synchronized CompletableFuture<Long> append(List<MetadataRecord> records) {
        if (appendFailure != null) {
            return CompletableFuture.failedFuture(appendFailure);
        }
        List<MetadataRecord> decoded = MetadataRecordSerde.decode(MetadataRecordSerde.encode(records));
        MetadataDelta delta = new MetadataDelta(image);
        decoded.forEach(delta::replay);
        long offset = log.size();
        log.add(decoded);
        image = delta.apply(offset);
        for (MetadataListener listener : listeners) {
            listener.onImage(image, delta);
        }
        return CompletableFuture.completedFuture(offset);
    }

    @Override
    public boolean isActiveController() {
        return activeController;
    }

    void setActiveController(boolean active) {
        activeController = active;
    }

    @Override
    public MetadataImage image() {
        return image;
    }

    @Override
    public void addListener(MetadataListener listener) {
        listeners.add(listener);
    }

    void failAppends(RuntimeException failure) {
        appendFailure = failure;
    }

    /** Every appended batch, in order. */
    List<List<MetadataRecord>> log() {
        return log;
    }

    /** Registers the brokers at epoch 1 and unfences them. */
    LocalMetadataQuorum withBrokers(int... ids) {
        for (int id : ids) {
            append(List.of(registration(id, null), new UnfenceBrokerRecord(id, 1L))).join();
        }
        return this;
    }

    /** Registers the brokers at epoch 1 and leaves them fenced. */
    LocalMetadataQuorum withFencedBrokers(int... ids) {
        for (int id : ids) {
            append(List.of(registration(id, null))).join();
        }
        return this;
    }

    /** Registers the broker in this rack at epoch 1 and unfences it. */
    LocalMetadataQuorum withBrokerInRack(int id, String rack) {
        append(List.of(registration(id, rack), new UnfenceBrokerRecord(id, 1L))).join();
        return this;
    }

    private static RegisterBrokerRecord registration(int id, String rack) {
        return new RegisterBrokerRecord(id, 1L, List.of(new Endpoint("PLAINTEXT", "localhost", 9092 + id)), rack);
    }

    @Override
    public void close() {
    }
}
