package io.spool.metadata;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory metadata log of one node for unit tests: appends are encoded, decoded and applied at once on the
 * caller's thread (under a lock, so in order). {@link #failAppends} makes the next appends fail.
 */
final class LocalMetadataQuorum implements MetadataQuorum {
    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private final List<List<MetadataRecord>> log = new CopyOnWriteArrayList<>();
    private volatile MetadataImage image = MetadataImage.EMPTY;
    private volatile RuntimeException appendFailure;

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

    /** Registers brokers {@code 0..count-1}. */
    LocalMetadataQuorum withBrokers(int... ids) {
        for (int id : ids) {
            append(List.of(new RegisterBrokerRecord(id, 1L, List.of(new Endpoint("PLAINTEXT", "localhost", 9092 + id)),
                    null))).join();
        }
        return this;
    }

    @Override
    public void close() {
    }
}
