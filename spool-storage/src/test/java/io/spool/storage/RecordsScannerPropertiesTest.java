package io.spool.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** The fast path ({@link RecordsScanner}) against the full record-by-record validation it stands in for. */
class RecordsScannerPropertiesTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final long NOW = 1_700_000_000_000L;

    /** Well-formed batches within the rules take the fast path. */
    @Property(tries = 200)
    void shouldAcceptWellFormedBatches(
        @ForAll @Size(min = 1, max = 30) List<@IntRange(min = -1, max = 40) Integer> sizes,
        @ForAll @IntRange(min = 0, max = 3) int headers) {
        MemoryRecords records = batch(sizes, headers);
        assertThat(scan(records, LogConfig.defaults())).isTrue();
        assertThat(full(records, LogConfig.defaults())).isNull();
    }

    /** Whatever byte is changed (CRC fixed up), the fast path never accepts a batch the full validation rejects. */
    @Property(tries = 3000)
    void shouldNeverAcceptWhatTheFullValidationRejects(
        @ForAll @Size(min = 1, max = 8) List<@IntRange(min = -1, max = 12) Integer> sizes,
        @ForAll @IntRange(min = 0, max = 2) int headers, @ForAll @IntRange(min = 0, max = 10_000) int where,
        @ForAll byte value, @ForAll boolean compact, @ForAll boolean narrowTimestamps) {
        MemoryRecords records = batch(sizes, headers);
        ByteBuffer buffer = records.buffer();
        int position = BatchHeader.HEADER_SIZE + where % (buffer.limit() - BatchHeader.HEADER_SIZE);
        buffer.put(position, value);
        TestBatches.fixCrc(buffer);
        long window = narrowTimestamps ? 5 : Long.MAX_VALUE;
        LogConfig config = LogConfig.defaults().withCompact(compact).withTimestamps(false, window, window);

        if (scan(records, config)) {
            assertThat(full(records, config)).as("the full validation of what the fast path accepted").isNull();
        }
    }

    private static boolean scan(MemoryRecords records, LogConfig config) {
        MutableRecordBatch batch = records.batches().iterator().next();
        return RecordsScanner.accepts(records.buffer(), BatchHeader.HEADER_SIZE, batch.sizeInBytes(),
            batch.countOrNull(), records.buffer().getLong(BatchHeader.BASE_TIMESTAMP_OFFSET),
            BatchValidator.rules(config, NOW));
    }

    private static BatchValidator.Result full(MemoryRecords records, LogConfig config) {
        MutableRecordBatch batch = records.batches().iterator().next();
        return BatchValidator.validateRecords(TP, batch, batch.countOrNull(), config, NOW);
    }

    /** One batch; a size of -1 is a null key, otherwise a key and a value of about that many bytes. */
    private static MemoryRecords batch(List<Integer> sizes, int headers) {
        SimpleRecord[] records = new SimpleRecord[sizes.size()];
        for (int i = 0; i < records.length; i++) {
            int size = sizes.get(i);
            Header[] hs = new Header[headers];
            for (int h = 0; h < headers; h++) {
                hs[h] = new RecordHeader("h" + h, h == 1 ? null : new byte[h + 1]);
            }
            records[i] = new SimpleRecord(NOW + i, size < 0 ? null : new byte[size],
                ("v" + i).repeat(Math.max(size, 0)).getBytes(StandardCharsets.UTF_8), hs);
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }
}
