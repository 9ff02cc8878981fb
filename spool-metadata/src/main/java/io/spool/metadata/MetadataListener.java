package io.spool.metadata;

/** Told of every new image, on the quorum's single apply thread, in log order. Must not block. */
@FunctionalInterface
public interface MetadataListener {
    /**
     * @param image the image just published
     * @param delta the changes from the previous image ({@code delta.base()}) to this one
     */
    void onImage(MetadataImage image, MetadataDelta delta);
}
