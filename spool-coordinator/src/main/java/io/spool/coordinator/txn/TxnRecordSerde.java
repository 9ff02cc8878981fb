package io.spool.coordinator.txn;

import io.spool.coordinator.CoordinatorRecord;
import io.spool.coordinator.CorruptCoordinatorRecordException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;

/**
 * Spool's own versioned binary format for the records of {@code __transaction_state}. All integers big-endian;
 * {@code string} = int16 length + UTF-8 (never null here).
 *
 * <pre>
 * key:    int16 keyVersion (0) | string transactionalId      (the whole key is the compaction key)
 * value:  int16 valueVersion (0)
 *         | int64 producerId | int64 lastProducerId | int16 producerEpoch | int16 lastProducerEpoch
 *         | int32 timeoutMs | int8 state ({@link TxnState#id()})
 *         | int64 txnStartTimestamp | int64 lastUpdateTimestamp
 *         | int32 topicCount | topicCount x (string topic | int32 partitionCount | partitionCount x int32)
 * </pre>
 *
 * A null value is a tombstone: the id expired. Every value holds the id's whole state, so after a crash the last
 * durable record of a key is the state to resume from. Decoding checks every length against the bytes left, rejects
 * trailing bytes, unknown versions and states with {@link CorruptCoordinatorRecordException}, and never allocates
 * more than its input. Stateless and thread-safe.
 */
public final class TxnRecordSerde {

    static final short KEY_VERSION = 0;
    static final short VALUE_VERSION = 0;

    private TxnRecordSerde() {
    }

    /** A decoded record: its id and its state, null for a tombstone. */
    public record Decoded(String transactionalId, TxnMetadata value) {
    }

    public static CoordinatorRecord record(String transactionalId, TxnMetadata value) {
        return new CoordinatorRecord(encodeKey(transactionalId), value == null ? null : encodeValue(value));
    }

    public static byte[] encodeKey(String transactionalId) {
        return write(out -> {
            out.writeShort(KEY_VERSION);
            writeString(out, transactionalId);
        });
    }

    public static byte[] encodeValue(TxnMetadata m) {
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        for (TopicPartition tp : m.partitions()) {
            byTopic.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(tp.partition());
        }
        return write(out -> {
            out.writeShort(VALUE_VERSION);
            out.writeLong(m.producerId());
            out.writeLong(m.lastProducerId());
            out.writeShort(m.producerEpoch());
            out.writeShort(m.lastProducerEpoch());
            out.writeInt(m.timeoutMs());
            out.writeByte(m.state().id());
            out.writeLong(m.txnStartTimestamp());
            out.writeLong(m.lastUpdateTimestamp());
            out.writeInt(byTopic.size());
            for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
                writeString(out, e.getKey());
                out.writeInt(e.getValue().size());
                for (int p : e.getValue()) {
                    out.writeInt(p);
                }
            }
        });
    }

    public static Decoded decode(CoordinatorRecord record) {
        String id = decodeKey(record.key());
        return new Decoded(id, record.value() == null ? null : decodeValue(id, record.value()));
    }

    public static String decodeKey(byte[] bytes) {
        return checked(bytes, buf -> {
            short version = buf.getShort();
            if (version != KEY_VERSION) {
                throw new CorruptCoordinatorRecordException("unknown transaction key version " + version);
            }
            return readString(buf);
        });
    }

    static TxnMetadata decodeValue(String id, byte[] bytes) {
        return checked(bytes, buf -> {
            short version = buf.getShort();
            if (version != VALUE_VERSION) {
                throw new CorruptCoordinatorRecordException("unknown transaction value version " + version);
            }
            long producerId = buf.getLong();
            long lastProducerId = buf.getLong();
            short epoch = buf.getShort();
            short lastEpoch = buf.getShort();
            int timeoutMs = buf.getInt();
            byte stateId = buf.get();
            TxnState state = TxnState.forId(stateId);
            if (state == null) {
                throw new CorruptCoordinatorRecordException("unknown transaction state " + stateId);
            }
            long start = buf.getLong();
            long lastUpdate = buf.getLong();
            List<TopicPartition> partitions = readPartitions(buf);
            return new TxnMetadata(id, producerId, lastProducerId, epoch, lastEpoch, timeoutMs, state,
                new HashSet<>(partitions), start, lastUpdate);
        });
    }

    private static List<TopicPartition> readPartitions(ByteBuffer buf) {
        int topics = count(buf, 6);
        List<TopicPartition> out = new ArrayList<>();
        for (int t = 0; t < topics; t++) {
            String topic = readString(buf);
            int n = count(buf, 4);
            for (int i = 0; i < n; i++) {
                out.add(new TopicPartition(topic, buf.getInt()));
            }
        }
        return out;
    }

    private static int count(ByteBuffer buf, int minElementBytes) {
        int n = buf.getInt();
        if (n < 0 || (long) n * minElementBytes > buf.remaining()) {
            throw new CorruptCoordinatorRecordException("count " + n + " exceeds the " + buf.remaining()
                + " bytes left");
        }
        return n;
    }

    private static String readString(ByteBuffer buf) {
        int len = buf.getShort();
        if (len < 0 || len > buf.remaining()) {
            throw new CorruptCoordinatorRecordException("string length " + len + " with " + buf.remaining()
                + " bytes left");
        }
        byte[] b = new byte[len];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("string of " + b.length + " bytes is too long");
        }
        out.writeShort(b.length);
        out.write(b);
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static <T> T checked(byte[] bytes, Function<ByteBuffer, T> read) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        T result;
        try {
            result = read.apply(buf);
        } catch (BufferUnderflowException e) {
            throw new CorruptCoordinatorRecordException("record of " + bytes.length + " bytes ends early");
        }
        if (buf.hasRemaining()) {
            throw new CorruptCoordinatorRecordException(buf.remaining() + " trailing bytes");
        }
        return result;
    }
}
