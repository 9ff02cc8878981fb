package io.spool.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.Uuid;

class CoordinatorRecordSerdeTest {

    @Property(tries = 200)
    void offsetRecordsRoundTrip(@ForAll("names") String group, @ForAll("names") String topic,
                                @ForAll int partition, @ForAll long offset, @ForAll int epoch,
                                @ForAll("names") String metadata, @ForAll long ts) {
        var v = new CoordinatorRecordSerde.OffsetValue(offset, epoch, metadata, ts);
        var d = CoordinatorRecordSerde.decode(CoordinatorRecordSerde.offsetCommit(group, topic, partition, v));
        assertThat(d.key()).isEqualTo(new CoordinatorRecordSerde.OffsetKey(group, topic, partition));
        assertThat(d.value()).isEqualTo(v);
        var tomb = CoordinatorRecordSerde.decode(CoordinatorRecordSerde.offsetCommit(group, topic, partition, null));
        assertThat(tomb.value()).isNull();
    }

    @Property(tries = 100)
    void classicGroupRecordsRoundTrip(@ForAll("classic") CoordinatorRecordSerde.ClassicGroupValue v) {
        var record = CoordinatorRecordSerde.groupMetadata("g", v);
        var back = (CoordinatorRecordSerde.ClassicGroupValue) CoordinatorRecordSerde.decode(record).value();
        // byte[] fields compare by identity in records: compare the re-encoding instead
        assertThat(CoordinatorRecordSerde.groupMetadata("g", back)).isEqualTo(record);
        assertThat(back.members()).hasSameSizeAs(v.members());
    }

    @Property(tries = 100)
    void consumerGroupRecordsRoundTrip(@ForAll("consumer") CoordinatorRecordSerde.ConsumerGroupValue v) {
        var back = CoordinatorRecordSerde.decode(CoordinatorRecordSerde.groupMetadata("g", v)).value();
        assertThat(back).isEqualTo(v);
    }

    /** Any corruption either still decodes or fails with the module's exception; nothing else, never OOM. */
    @Property(tries = 500)
    void corruptInputFailsCleanly(@ForAll("consumer") CoordinatorRecordSerde.ConsumerGroupValue v,
                                  @ForAll int position, @ForAll byte value, @ForAll boolean truncate) {
        byte[] bytes = CoordinatorRecordSerde.groupMetadata("g", v).value();
        int at = Math.floorMod(position, bytes.length);
        byte[] bad = truncate ? java.util.Arrays.copyOf(bytes, at) : bytes.clone();
        if (!truncate) {
            bad[at] = value;
        }
        try {
            CoordinatorRecordSerde.decode(new CoordinatorRecord(CoordinatorRecordSerde.encodeKey(
                new CoordinatorRecordSerde.GroupKey("g")), bad));
        } catch (CorruptCoordinatorRecordException expected) {
            // fine
        }
    }

    @Property(tries = 300)
    void randomBytesNeverEscapeAsOtherExceptions(@ForAll byte[] key, @ForAll byte[] value) {
        try {
            CoordinatorRecordSerde.decode(new CoordinatorRecord(key, value));
        } catch (CorruptCoordinatorRecordException expected) {
            // fine
        }
    }

    @org.junit.jupiter.api.Test
    void shouldRejectHugeCountsWithoutAllocating() {
        byte[] v = {0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThatThrownBy(() -> CoordinatorRecordSerde.decodeGroup(v))
            .isInstanceOf(CorruptCoordinatorRecordException.class);
        assertThatThrownBy(() -> CoordinatorRecordSerde.decodeKey(new byte[] {0, 9}))
            .isInstanceOf(CorruptCoordinatorRecordException.class);
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().ofMaxLength(20);
    }

    @Provide
    Arbitrary<CoordinatorRecordSerde.ClassicGroupValue> classic() {
        Arbitrary<CoordinatorRecordSerde.ClassicMemberValue> member = Combinators.combine(
            names(), names().injectNull(0.3), names(), Arbitraries.integers(), Arbitraries.bytes().array(byte[].class)
                .ofMaxSize(10)).as((id, instance, client, timeout, bytes) ->
                new CoordinatorRecordSerde.ClassicMemberValue(id, instance, client, "/h", timeout, timeout, bytes,
                    bytes));
        return Combinators.combine(names().injectNull(0.2), Arbitraries.integers(), names().injectNull(0.2),
            member.list().ofMaxSize(5)).as((type, gen, protocol, members) ->
            new CoordinatorRecordSerde.ClassicGroupValue(type, gen, protocol, null, 7L, members));
    }

    @Provide
    Arbitrary<CoordinatorRecordSerde.ConsumerGroupValue> consumer() {
        Arbitrary<Assignment> assignment = Arbitraries.integers().between(0, 20).set().ofMaxSize(5).list()
            .ofMaxSize(3).map(parts -> {
                Map<Uuid, Set<Integer>> m = new java.util.HashMap<>();
                for (int i = 0; i < parts.size(); i++) {
                    m.put(new Uuid(i, i + 1), parts.get(i));
                }
                return Assignment.of(m);
            });
        Arbitrary<CoordinatorRecordSerde.ConsumerMemberValue> member = Combinators.combine(names(),
            names().injectNull(0.5), Arbitraries.integers(), names().list().ofMaxSize(3), assignment, assignment,
            assignment).as((id, instance, epoch, topics, a, p, t) -> new CoordinatorRecordSerde.ConsumerMemberValue(
                id, instance, null, "c", "h", epoch, epoch - 1, (byte) 1, 30000, "range", new ArrayList<>(topics),
                instance, a, p, t));
        return Combinators.combine(Arbitraries.integers(), Arbitraries.integers(), member.list().ofMaxSize(4))
            .as((e, a, members) -> new CoordinatorRecordSerde.ConsumerGroupValue(e, a, List.copyOf(members)));
    }
}
