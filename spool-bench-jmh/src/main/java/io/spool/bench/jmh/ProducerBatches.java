package io.spool.bench.jmh;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;

/**
 * Builds the record batch a Kafka producer sends for one partition, as benchmark input: v2, CreateTime stamped now,
 * base offset 0, no producer id (a producer with {@code enable.idempotence=false}, so the same bytes can be appended
 * again and again without tripping the duplicate check). Each record has a 10-byte key and a value of text-like
 * content: words drawn from a fixed vocabulary, so lz4 finds repeats as it does in log lines or JSON, where random
 * bytes would not compress at all.
 *
 * <p>The batch lives in a direct buffer, as the records of a produce request do after they are decoded from a
 * pooled Netty frame, so a file write of it costs what it costs in the broker (no copy into a temporary direct
 * buffer). Stateless and thread-safe.
 */
public final class ProducerBatches {

    /** Records in one batch: what a producer with the default 16 KiB batch.size fills with 1 KiB records. */
    public static final int RECORDS_PER_BATCH = 16;
    /** Size of each record value. */
    public static final int VALUE_BYTES = 1024;
    private static final int VOCABULARY_SIZE = 512;

    private ProducerBatches() {
    }

    /** The compression of a benchmark parameter value: {@code none}, {@code lz4}, or another Kafka codec name. */
    public static Compression compression(String name) {
        return Compression.of(name).build();
    }

    /** One batch of {@link #RECORDS_PER_BATCH} records of {@link #VALUE_BYTES} bytes, from a seeded generator. */
    public static MemoryRecords batch(Compression compression, long seed) {
        return batch(compression, RECORDS_PER_BATCH, VALUE_BYTES, new Random(seed));
    }

    /** One batch of {@code records} records with values of {@code valueBytes} bytes, in a direct buffer. */
    public static MemoryRecords batch(Compression compression, int records, int valueBytes, Random random) {
        String[] vocabulary = vocabulary(random);
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(records * (valueBytes + 64)),
            RecordBatch.CURRENT_MAGIC_VALUE, compression, TimestampType.CREATE_TIME, 0L);
        long now = System.currentTimeMillis();
        for (int i = 0; i < records; i++) {
            byte[] key = String.format("key-%06d", random.nextInt(1_000_000)).getBytes(StandardCharsets.US_ASCII);
            builder.append(now, key, value(vocabulary, valueBytes, random));
        }
        ByteBuffer heap = builder.build().buffer();
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining());
        direct.put(heap).flip();
        return MemoryRecords.readableRecords(direct);
    }

    /**
     * Sets the base offset of every batch back to 0, as a client sends it, after an append assigned offsets in
     * place. The base offset is outside the batch CRC, so the batch stays valid.
     */
    public static void resetBaseOffsets(MemoryRecords records) {
        ByteBuffer buffer = records.buffer();
        int position = buffer.position();
        while (position < buffer.limit()) {
            buffer.putLong(position, 0L);
            position += Records.LOG_OVERHEAD + buffer.getInt(position + Records.SIZE_OFFSET);
        }
    }

    private static String[] vocabulary(Random random) {
        String[] words = new String[VOCABULARY_SIZE];
        for (int i = 0; i < words.length; i++) {
            char[] word = new char[3 + random.nextInt(8)];
            for (int c = 0; c < word.length; c++) {
                word[c] = (char) ('a' + random.nextInt(26));
            }
            words[i] = new String(word);
        }
        return words;
    }

    private static byte[] value(String[] vocabulary, int valueBytes, Random random) {
        StringBuilder text = new StringBuilder(valueBytes + 16);
        while (text.length() < valueBytes) {
            text.append(vocabulary[random.nextInt(vocabulary.length)]).append(' ');
        }
        text.setLength(valueBytes);
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
