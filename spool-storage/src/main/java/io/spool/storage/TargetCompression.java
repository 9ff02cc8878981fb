package io.spool.storage;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;

/**
 * A topic's {@code compression.type}: {@link #PRODUCER} keeps each batch as the producer compressed it; a codec makes
 * the leader recompress every batch written with another codec (see {@link BatchRecompressor}), at {@code level}
 * (the topic's {@code compression.gzip.level}, {@code compression.lz4.level} or {@code compression.zstd.level};
 * ignored for snappy and uncompressed). Immutable.
 *
 * @param type  the codec to store, null for {@code producer}
 * @param level the codec's level as configured
 */
public record TargetCompression(CompressionType type, int level) {

    /** {@code compression.type=producer}: batches are stored byte for byte as produced. */
    public static final TargetCompression PRODUCER = new TargetCompression(null, 0);

    /**
     * From the topic config values: {@code codec} is {@code producer}, {@code uncompressed}, {@code gzip},
     * {@code snappy}, {@code lz4} or {@code zstd}.
     */
    public static TargetCompression of(String codec, int gzipLevel, int lz4Level, int zstdLevel) {
        return switch (codec) {
            case "producer" -> PRODUCER;
            case "uncompressed" -> new TargetCompression(CompressionType.NONE, 0);
            case "gzip" -> new TargetCompression(CompressionType.GZIP, gzipLevel);
            case "snappy" -> new TargetCompression(CompressionType.SNAPPY, 0);
            case "lz4" -> new TargetCompression(CompressionType.LZ4, lz4Level);
            case "zstd" -> new TargetCompression(CompressionType.ZSTD, zstdLevel);
            default -> throw new IllegalArgumentException("unknown compression.type " + codec);
        };
    }

    /** Whether a batch written with {@code codec} must be rewritten before it is stored. */
    public boolean mustRecompress(CompressionType codec) {
        return type != null && type != codec;
    }

    /** The kafka-clients codec with this level; only for a codec, never for {@link #PRODUCER}. */
    Compression compression() {
        return switch (type) {
            case NONE -> Compression.NONE;
            case GZIP -> Compression.gzip().level(level).build();
            case SNAPPY -> Compression.snappy().build();
            case LZ4 -> Compression.lz4().level(level).build();
            case ZSTD -> Compression.zstd().level(level).build();
        };
    }
}
