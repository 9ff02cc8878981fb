package io.spool.coordinator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * Spool's own versioned binary format for the records of {@code __consumer_offsets}. All integers big-endian;
 * {@code string} = int16 length (-1 = null) + UTF-8; {@code bytes} = int32 length (-1 = null) + bytes;
 * {@code T[]} = int32 count + elements; {@code assignment} = int32 topic count + (uuid, int32 count + int32...).
 *
 * <pre>
 * key:    int16 type | payload                 (the whole key is the compaction key)
 *   type 0 OFFSET:  string group | string topic | int32 partition
 *   type 1 GROUP:   string group
 * value:  int16 version (0) | payload          (a null value is a tombstone for its key)
 *   OFFSET: int64 offset | int32 leaderEpoch | string metadata | int64 commitTimestamp
 *   GROUP:  int8 groupType | ...
 *     0 classic:  string protocolType | int32 generation | string protocol | string leader | int64 stateTimestamp
 *                 | member[]: string memberId | string instanceId | string clientId | string clientHost
 *                   | int32 rebalanceTimeoutMs | int32 sessionTimeoutMs | bytes subscription | bytes assignment
 *     1 consumer: int32 groupEpoch | int32 assignmentEpoch
 *                 | member[]: string memberId | string instanceId | string rackId | string clientId
 *                   | string clientHost | int32 memberEpoch | int32 previousMemberEpoch | int8 state
 *                   | int32 rebalanceTimeoutMs | string serverAssignor | string[] subscribedTopicNames
 *                   | string subscribedTopicRegex | assignment assigned | assignment pendingRevocation
 *                   | assignment target
 * </pre>
 *
 * Decoding checks every length against the bytes left, rejects trailing bytes and unknown types or versions with
 * {@link CorruptCoordinatorRecordException}, and so never allocates more than its input. A reader that meets a
 * newer version than it knows fails the load rather than guess. Stateless and thread-safe.
 */
public final class CoordinatorRecordSerde {

    static final short KEY_OFFSET = 0;
    static final short KEY_GROUP = 1;
    static final short VALUE_VERSION = 0;
    static final byte GROUP_CLASSIC = 0;
    static final byte GROUP_CONSUMER = 1;

    private CoordinatorRecordSerde() {
    }

    /** A record key: what compaction keeps the last value of. */
    public sealed interface Key permits OffsetKey, GroupKey {
        String group();
    }

    public record OffsetKey(String group, String topic, int partition) implements Key {
    }

    public record GroupKey(String group) implements Key {
    }

    public record OffsetValue(long offset, int leaderEpoch, String metadata, long commitTimestamp) {
    }

    /** A group's whole state, written on each change that must survive a reload. */
    public sealed interface GroupValue permits ClassicGroupValue, ConsumerGroupValue {
    }

    public record ClassicGroupValue(String protocolType, int generation, String protocol, String leader,
                                    long stateTimestamp, List<ClassicMemberValue> members) implements GroupValue {
        public ClassicGroupValue {
            members = List.copyOf(members);
        }
    }

    public record ClassicMemberValue(String memberId, String instanceId, String clientId, String clientHost,
                                     int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription,
                                     byte[] assignment) {
        public ClassicMemberValue {
            Objects.requireNonNull(memberId, "memberId");
            subscription = subscription == null ? new byte[0] : subscription;
            assignment = assignment == null ? new byte[0] : assignment;
        }
    }

    public record ConsumerGroupValue(int groupEpoch, int assignmentEpoch, List<ConsumerMemberValue> members)
        implements GroupValue {
        public ConsumerGroupValue {
            members = List.copyOf(members);
        }
    }

    public record ConsumerMemberValue(String memberId, String instanceId, String rackId, String clientId,
                                      String clientHost, int memberEpoch, int previousMemberEpoch, byte state,
                                      int rebalanceTimeoutMs, String serverAssignor, List<String> subscribedTopicNames,
                                      String subscribedTopicRegex, Assignment assigned, Assignment pendingRevocation,
                                      Assignment target) {
        public ConsumerMemberValue {
            Objects.requireNonNull(memberId, "memberId");
            subscribedTopicNames = List.copyOf(subscribedTopicNames);
        }
    }

    /** A decoded record: a key and its value, null for a tombstone. */
    public record Decoded(Key key, Object value) {
    }

    public static CoordinatorRecord offsetCommit(String group, String topic, int partition, OffsetValue value) {
        return new CoordinatorRecord(encodeKey(new OffsetKey(group, topic, partition)),
            value == null ? null : encodeOffset(value));
    }

    public static CoordinatorRecord groupMetadata(String group, GroupValue value) {
        return new CoordinatorRecord(encodeKey(new GroupKey(group)), value == null ? null : encodeGroup(value));
    }

    public static byte[] encodeKey(Key key) {
        ByteWriter w = new ByteWriter();
        if (key instanceof OffsetKey k) {
            w.writeShort(KEY_OFFSET).writeNullableString(k.group()).writeNullableString(k.topic())
                .writeInt(k.partition());
        } else {
            w.writeShort(KEY_GROUP).writeNullableString(key.group());
        }
        return w.toByteArray();
    }

    static byte[] encodeOffset(OffsetValue v) {
        return new ByteWriter().writeShort(VALUE_VERSION).writeLong(v.offset()).writeInt(v.leaderEpoch())
            .writeNullableString(v.metadata()).writeLong(v.commitTimestamp()).toByteArray();
    }

    static byte[] encodeGroup(GroupValue value) {
        ByteWriter w = new ByteWriter().writeShort(VALUE_VERSION);
        if (value instanceof ClassicGroupValue g) {
            w.writeByte(GROUP_CLASSIC).writeNullableString(g.protocolType()).writeInt(g.generation())
                .writeNullableString(g.protocol()).writeNullableString(g.leader()).writeLong(g.stateTimestamp())
                .writeInt(g.members().size());
            for (ClassicMemberValue m : g.members()) {
                w.writeNullableString(m.memberId()).writeNullableString(m.instanceId())
                    .writeNullableString(m.clientId()).writeNullableString(m.clientHost())
                    .writeInt(m.rebalanceTimeoutMs()).writeInt(m.sessionTimeoutMs())
                    .writeNullableBytes(m.subscription()).writeNullableBytes(m.assignment());
            }
        } else {
            ConsumerGroupValue g = (ConsumerGroupValue) value;
            w.writeByte(GROUP_CONSUMER).writeInt(g.groupEpoch()).writeInt(g.assignmentEpoch())
                .writeInt(g.members().size());
            for (ConsumerMemberValue m : g.members()) {
                w.writeNullableString(m.memberId()).writeNullableString(m.instanceId())
                    .writeNullableString(m.rackId()).writeNullableString(m.clientId())
                    .writeNullableString(m.clientHost()).writeInt(m.memberEpoch()).writeInt(m.previousMemberEpoch())
                    .writeByte(m.state()).writeInt(m.rebalanceTimeoutMs()).writeNullableString(m.serverAssignor());
                w.writeInt(m.subscribedTopicNames().size());
                m.subscribedTopicNames().forEach(w::writeNullableString);
                w.writeNullableString(m.subscribedTopicRegex());
                writeAssignment(w, m.assigned());
                writeAssignment(w, m.pendingRevocation());
                writeAssignment(w, m.target());
            }
        }
        return w.toByteArray();
    }

    private static void writeAssignment(ByteWriter w, Assignment a) {
        w.writeInt(a.partitions().size());
        a.partitions().forEach((topic, parts) -> {
            w.writeUuid(topic).writeInt(parts.size());
            parts.forEach(w::writeInt);
        });
    }

    public static Decoded decode(CoordinatorRecord record) {
        Key key = decodeKey(record.key());
        if (record.value() == null) {
            return new Decoded(key, null);
        }
        Object value = key instanceof OffsetKey ? decodeOffset(record.value()) : decodeGroup(record.value());
        return new Decoded(key, value);
    }

    public static Key decodeKey(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        short type = r.readShort();
        Key key;
        if (type == KEY_OFFSET) {
            key = new OffsetKey(r.readString(), r.readString(), r.readInt());
        } else if (type == KEY_GROUP) {
            key = new GroupKey(r.readString());
        } else {
            throw new CorruptCoordinatorRecordException("unknown key type " + type);
        }
        r.expectEnd();
        return key;
    }

    static OffsetValue decodeOffset(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        checkVersion(r.readShort());
        OffsetValue v = new OffsetValue(r.readLong(), r.readInt(), r.readNullableString(), r.readLong());
        r.expectEnd();
        return v;
    }

    static GroupValue decodeGroup(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        checkVersion(r.readShort());
        byte type = r.readByte();
        GroupValue v;
        if (type == GROUP_CLASSIC) {
            v = decodeClassic(r);
        } else if (type == GROUP_CONSUMER) {
            v = decodeConsumer(r);
        } else {
            throw new CorruptCoordinatorRecordException("unknown group type " + type);
        }
        r.expectEnd();
        return v;
    }

    private static ClassicGroupValue decodeClassic(ByteReader r) {
        String protocolType = r.readNullableString();
        int generation = r.readInt();
        String protocol = r.readNullableString();
        String leader = r.readNullableString();
        long stateTimestamp = r.readLong();
        int n = r.readCount(24);
        List<ClassicMemberValue> members = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            members.add(new ClassicMemberValue(r.readString(), r.readNullableString(), r.readNullableString(),
                r.readNullableString(), r.readInt(), r.readInt(), r.readNullableBytes(), r.readNullableBytes()));
        }
        return new ClassicGroupValue(protocolType, generation, protocol, leader, stateTimestamp, members);
    }

    private static ConsumerGroupValue decodeConsumer(ByteReader r) {
        int groupEpoch = r.readInt();
        int assignmentEpoch = r.readInt();
        int n = r.readCount(40);
        List<ConsumerMemberValue> members = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String memberId = r.readString();
            String instanceId = r.readNullableString();
            String rackId = r.readNullableString();
            String clientId = r.readNullableString();
            String clientHost = r.readNullableString();
            int memberEpoch = r.readInt();
            int previousEpoch = r.readInt();
            byte state = r.readByte();
            int rebalanceTimeoutMs = r.readInt();
            String assignor = r.readNullableString();
            int topicCount = r.readCount(2);
            List<String> topics = new ArrayList<>(topicCount);
            for (int t = 0; t < topicCount; t++) {
                topics.add(r.readString());
            }
            String regex = r.readNullableString();
            members.add(new ConsumerMemberValue(memberId, instanceId, rackId, clientId, clientHost, memberEpoch,
                previousEpoch, state, rebalanceTimeoutMs, assignor, topics, regex, readAssignment(r),
                readAssignment(r), readAssignment(r)));
        }
        return new ConsumerGroupValue(groupEpoch, assignmentEpoch, members);
    }

    private static Assignment readAssignment(ByteReader r) {
        int topics = r.readCount(20);
        TreeMap<Uuid, SortedSet<Integer>> m = new TreeMap<>();
        for (int i = 0; i < topics; i++) {
            Uuid id = r.readUuid();
            int n = r.readCount(4);
            TreeSet<Integer> parts = new TreeSet<>();
            for (int p = 0; p < n; p++) {
                parts.add(r.readInt());
            }
            m.put(id, parts);
        }
        return new Assignment(Map.copyOf(m));
    }

    private static void checkVersion(short version) {
        if (version != VALUE_VERSION) {
            throw new CorruptCoordinatorRecordException("unknown value version " + version);
        }
    }
}
