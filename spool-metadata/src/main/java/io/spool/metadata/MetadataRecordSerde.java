package io.spool.metadata;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import org.apache.kafka.common.Uuid;

/**
 * Encodes a batch of {@link MetadataRecord}s as one byte array: the payload of one metadata log entry, and of a
 * snapshot.
 *
 * <pre>
 * batch  := version:int8(=0) crc:int32 count:int32 record{count}
 *           crc is CRC-32C of every byte after the crc field
 * record := type:int8 fields
 *   1 TopicRecord          name:string topicId:uuid
 *   2 PartitionRecord v0   topicId:uuid partition:int32 replicas:int32s isr:int32s leader:int32
 *                          leaderEpoch:int32 partitionEpoch:int32
 *   3 RemoveTopicRecord    topicId:uuid
 *   4 ConfigRecord         resourceType:int8 resourceName:string name:string value:nullable-string
 *   5 ProducerIdsRecord    brokerId:int32 nextProducerId:int64
 *   6 RegisterBrokerRecord brokerId:int32 clusterId:nullable-string incarnation:int64
 *                          endpointCount:int32 (listener:string host:string port:int32){endpointCount}
 *                          rack:nullable-string
 *   7 NoOpRecord           (no fields)
 *   8 FenceBrokerRecord    brokerId:int32 brokerEpoch:int64
 *   9 UnfenceBrokerRecord  brokerId:int32 brokerEpoch:int64
 *  10 PartitionReassignmentRecord
 *                          topicId:uuid partition:int32 adding:int32s removing:int32s
 *  11 PartitionRecord v1   (the v0 fields) elr:int32s lastKnownElr:int32s
 * string := length:int16 utf8-bytes{length}      (length -1 encodes null where nullable)
 * uuid   := mostSignificantBits:int64 leastSignificantBits:int64
 * int32s := count:int32 int32{count}
 * </pre>
 *
 * A PartitionRecord is written as v0 while its ELR and last known ELR are empty, so that logs and snapshots stay
 * readable by nodes that predate KIP-966 until ELR is actually in use; v0 reads with both lists empty. All integers
 * are big-endian. Every count and length is checked against the bytes that remain before anything is
 * allocated, so corrupt input fails with {@link CorruptMetadataException} and never with an out-of-memory error.
 * Stateless and thread-safe.
 */
public final class MetadataRecordSerde {
    static final byte VERSION = 0;
    private static final int HEADER_SIZE = 1 + 4 + 4;
    private static final int CRC_OFFSET = 1;
    static final int MAX_STRING_BYTES = Short.MAX_VALUE;

    private static final byte TOPIC = 1;
    private static final byte PARTITION = 2;
    private static final byte REMOVE_TOPIC = 3;
    private static final byte CONFIG = 4;
    private static final byte PRODUCER_IDS = 5;
    private static final byte REGISTER_BROKER = 6;
    private static final byte NO_OP = 7;
    private static final byte FENCE_BROKER = 8;
    private static final byte UNFENCE_BROKER = 9;
    private static final byte PARTITION_REASSIGNMENT = 10;
    private static final byte PARTITION_V1 = 11;

    private MetadataRecordSerde() {
    }

    /**
     * Encodes the records as one batch.
     *
     * @throws IllegalArgumentException if a string is longer than 32767 UTF-8 bytes
     */
    public static byte[] encode(List<MetadataRecord> records) {
        Writer out = new Writer();
        out.buf.put(VERSION).putInt(0).putInt(records.size());
        for (MetadataRecord record : records) {
            writeRecord(out, record);
        }
        ByteBuffer buf = out.buf;
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), HEADER_SIZE - 4, buf.position() - (HEADER_SIZE - 4));
        buf.putInt(CRC_OFFSET, (int) crc.getValue());
        byte[] bytes = new byte[buf.position()];
        System.arraycopy(buf.array(), 0, bytes, 0, bytes.length);
        return bytes;
    }

    /**
     * Decodes a batch written by {@link #encode}.
     *
     * @throws CorruptMetadataException if the bytes are not exactly one valid batch
     */
    public static List<MetadataRecord> decode(byte[] bytes) {
        if (bytes.length < HEADER_SIZE) {
            throw new CorruptMetadataException("Metadata batch of " + bytes.length + " bytes is shorter than its header");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        byte version = buf.get();
        if (version != VERSION) {
            throw new CorruptMetadataException("Unknown metadata batch version " + version);
        }
        int expectedCrc = buf.getInt();
        CRC32C crc = new CRC32C();
        crc.update(bytes, HEADER_SIZE - 4, bytes.length - (HEADER_SIZE - 4));
        if ((int) crc.getValue() != expectedCrc) {
            throw new CorruptMetadataException("Metadata batch checksum mismatch");
        }
        try {
            int count = readCount(buf, 1);
            List<MetadataRecord> records = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                records.add(readRecord(buf));
            }
            if (buf.hasRemaining()) {
                throw new CorruptMetadataException(buf.remaining() + " trailing bytes after the metadata batch");
            }
            return records;
        } catch (BufferUnderflowException e) {
            throw new CorruptMetadataException("Metadata batch is truncated");
        }
    }

    private static void writeRecord(Writer out, MetadataRecord record) {
        if (record instanceof TopicRecord r) {
            out.ensure(1).buf.put(TOPIC);
            out.string(r.name()).uuid(r.topicId());
        } else if (record instanceof PartitionRecord r) {
            boolean v0 = r.elr().isEmpty() && r.lastKnownElr().isEmpty();
            out.ensure(1).buf.put(v0 ? PARTITION : PARTITION_V1);
            out.uuid(r.topicId()).int32(r.partition()).int32s(r.replicas()).int32s(r.isr())
                    .int32(r.leader()).int32(r.leaderEpoch()).int32(r.partitionEpoch());
            if (!v0) {
                out.int32s(r.elr()).int32s(r.lastKnownElr());
            }
        } else if (record instanceof RemoveTopicRecord r) {
            out.ensure(1).buf.put(REMOVE_TOPIC);
            out.uuid(r.topicId());
        } else if (record instanceof ConfigRecord r) {
            out.ensure(2).buf.put(CONFIG).put((byte) r.resourceType().id());
            out.string(r.resourceName()).string(r.name()).string(r.value());
        } else if (record instanceof ProducerIdsRecord r) {
            out.ensure(1 + 4 + 8).buf.put(PRODUCER_IDS).putInt(r.brokerId()).putLong(r.nextProducerId());
        } else if (record instanceof RegisterBrokerRecord r) {
            out.ensure(1).buf.put(REGISTER_BROKER);
            out.int32(r.brokerId()).string(r.clusterId()).int64(r.incarnation()).int32(r.endpoints().size());
            for (Endpoint e : r.endpoints()) {
                out.string(e.listener()).string(e.host()).int32(e.port());
            }
            out.string(r.rack());
        } else if (record instanceof NoOpRecord) {
            out.ensure(1).buf.put(NO_OP);
        } else if (record instanceof FenceBrokerRecord r) {
            out.ensure(1 + 4 + 8).buf.put(FENCE_BROKER).putInt(r.brokerId()).putLong(r.brokerEpoch());
        } else if (record instanceof UnfenceBrokerRecord r) {
            out.ensure(1 + 4 + 8).buf.put(UNFENCE_BROKER).putInt(r.brokerId()).putLong(r.brokerEpoch());
        } else if (record instanceof PartitionReassignmentRecord r) {
            out.ensure(1).buf.put(PARTITION_REASSIGNMENT);
            out.uuid(r.topicId()).int32(r.partition()).int32s(r.adding()).int32s(r.removing());
        } else {
            throw new IllegalStateException("Unhandled metadata record " + record);
        }
    }

    private static MetadataRecord readRecord(ByteBuffer buf) {
        byte type = buf.get();
        return switch (type) {
            case TOPIC -> new TopicRecord(readString(buf), readUuid(buf));
            case PARTITION -> new PartitionRecord(readUuid(buf), buf.getInt(), readInts(buf), readInts(buf),
                    buf.getInt(), buf.getInt(), buf.getInt());
            case PARTITION_V1 -> new PartitionRecord(readUuid(buf), buf.getInt(), readInts(buf), readInts(buf),
                    buf.getInt(), buf.getInt(), buf.getInt(), readInts(buf), readInts(buf));
            case REMOVE_TOPIC -> new RemoveTopicRecord(readUuid(buf));
            case CONFIG -> {
                int typeId = buf.get();
                ConfigResourceType resourceType = ConfigResourceType.fromId(typeId).orElseThrow(
                        () -> new CorruptMetadataException("Unknown config resource type " + typeId));
                yield new ConfigRecord(resourceType, readString(buf), readString(buf), readNullableString(buf));
            }
            case PRODUCER_IDS -> new ProducerIdsRecord(buf.getInt(), buf.getLong());
            case REGISTER_BROKER -> readRegisterBroker(buf);
            case NO_OP -> NoOpRecord.INSTANCE;
            case FENCE_BROKER -> new FenceBrokerRecord(buf.getInt(), buf.getLong());
            case UNFENCE_BROKER -> new UnfenceBrokerRecord(buf.getInt(), buf.getLong());
            case PARTITION_REASSIGNMENT -> new PartitionReassignmentRecord(readUuid(buf), buf.getInt(), readInts(buf),
                    readInts(buf));
            default -> throw new CorruptMetadataException("Unknown metadata record type " + type);
        };
    }

    private static RegisterBrokerRecord readRegisterBroker(ByteBuffer buf) {
        int brokerId = buf.getInt();
        String clusterId = readNullableString(buf);
        long incarnation = buf.getLong();
        int count = readCount(buf, 2 + 2 + 4);
        List<Endpoint> endpoints = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            endpoints.add(new Endpoint(readString(buf), readString(buf), buf.getInt()));
        }
        return new RegisterBrokerRecord(brokerId, clusterId, incarnation, endpoints, readNullableString(buf));
    }

    /** Reads a count of elements that each take at least {@code minElementBytes}, checked against what remains. */
    private static int readCount(ByteBuffer buf, int minElementBytes) {
        int count = buf.getInt();
        if (count < 0 || (long) count * minElementBytes > buf.remaining()) {
            throw new CorruptMetadataException("Count " + count + " exceeds the " + buf.remaining()
                    + " bytes that remain");
        }
        return count;
    }

    private static List<Integer> readInts(ByteBuffer buf) {
        int count = readCount(buf, 4);
        List<Integer> ints = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ints.add(buf.getInt());
        }
        return ints;
    }

    private static Uuid readUuid(ByteBuffer buf) {
        return new Uuid(buf.getLong(), buf.getLong());
    }

    private static String readString(ByteBuffer buf) {
        String s = readNullableString(buf);
        if (s == null) {
            throw new CorruptMetadataException("Null where a string is required");
        }
        return s;
    }

    private static String readNullableString(ByteBuffer buf) {
        short length = buf.getShort();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > buf.remaining()) {
            throw new CorruptMetadataException("String length " + length + " is out of bounds");
        }
        String s = new String(buf.array(), buf.arrayOffset() + buf.position(), length, StandardCharsets.UTF_8);
        buf.position(buf.position() + length);
        return s;
    }

    /** A growable big-endian buffer. */
    private static final class Writer {
        private ByteBuffer buf = ByteBuffer.allocate(256);

        Writer ensure(int bytes) {
            if (buf.remaining() < bytes) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + bytes));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
            return this;
        }

        Writer int32(int v) {
            ensure(4).buf.putInt(v);
            return this;
        }

        Writer int64(long v) {
            ensure(8).buf.putLong(v);
            return this;
        }

        Writer uuid(Uuid id) {
            ensure(16).buf.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
            return this;
        }

        Writer int32s(List<Integer> values) {
            ensure(4 + 4 * values.size()).buf.putInt(values.size());
            for (int v : values) {
                buf.putInt(v);
            }
            return this;
        }

        Writer string(String s) {
            if (s == null) {
                ensure(2).buf.putShort((short) -1);
                return this;
            }
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > MAX_STRING_BYTES) {
                throw new IllegalArgumentException("String of " + bytes.length + " UTF-8 bytes exceeds "
                        + MAX_STRING_BYTES);
            }
            ensure(2 + bytes.length).buf.putShort((short) bytes.length).put(bytes);
            return this;
        }
    }
}
