package io.spool.coordinator.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spool.coordinator.CoordinatorRecord;
import io.spool.coordinator.CorruptCoordinatorRecordException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TxnRecordSerdeTest {

    @Property(tries = 300)
    void shouldRoundTripWhenAnyState(@ForAll("metadata") TxnMetadata m) {
        TxnRecordSerde.Decoded d = TxnRecordSerde.decode(TxnRecordSerde.record(m.transactionalId(), m));
        assertThat(d.transactionalId()).isEqualTo(m.transactionalId());
        assertThat(d.value()).isEqualTo(m);
    }

    @Property(tries = 300)
    void shouldRejectWhenTruncated(@ForAll("metadata") TxnMetadata m, @ForAll("percent") int cut) {
        byte[] value = TxnRecordSerde.encodeValue(m);
        byte[] shorter = Arrays.copyOf(value, value.length * cut / 100);
        assertThatThrownBy(() -> TxnRecordSerde.decode(new CoordinatorRecord(TxnRecordSerde.encodeKey("x"), shorter)))
            .isInstanceOf(CorruptCoordinatorRecordException.class);
    }

    @Test
    void shouldDecodeTombstoneWhenValueNull() {
        TxnRecordSerde.Decoded d = TxnRecordSerde.decode(TxnRecordSerde.record("t1", null));
        assertThat(d.transactionalId()).isEqualTo("t1");
        assertThat(d.value()).isNull();
    }

    @Test
    void shouldRejectWhenTrailingBytesOrUnknownVersionOrState() {
        byte[] key = TxnRecordSerde.encodeKey("t1");
        assertThatThrownBy(() -> TxnRecordSerde.decodeKey(Arrays.copyOf(key, key.length + 1)))
            .isInstanceOf(CorruptCoordinatorRecordException.class);
        byte[] badKey = key.clone();
        badKey[1] = 9;
        assertThatThrownBy(() -> TxnRecordSerde.decodeKey(badKey))
            .isInstanceOf(CorruptCoordinatorRecordException.class);
        TxnMetadata m = new TxnMetadata("t1", 1, -1, (short) 0, (short) -1, 100, TxnState.EMPTY, Set.of(), -1, 5);
        byte[] value = TxnRecordSerde.encodeValue(m);
        byte[] badState = value.clone();
        badState[2 + 8 + 8 + 2 + 2 + 4] = 42;
        assertThatThrownBy(() -> TxnRecordSerde.decodeValue("t1", badState))
            .isInstanceOf(CorruptCoordinatorRecordException.class);
        byte[] hugeCount = value.clone();
        hugeCount[value.length - 4] = 0x7f;
        assertThatThrownBy(() -> TxnRecordSerde.decodeValue("t1", hugeCount))
            .isInstanceOf(CorruptCoordinatorRecordException.class);
    }

    @Provide
    Arbitrary<Integer> percent() {
        return Arbitraries.integers().between(0, 99);
    }

    @Provide
    Arbitrary<TxnMetadata> metadata() {
        Arbitrary<Set<TopicPartition>> parts = Combinators.combine(
            Arbitraries.strings().ofMinLength(1).ofMaxLength(8), Arbitraries.integers().between(0, 100))
            .as(TopicPartition::new).set().ofMaxSize(6).map(HashSet::new);
        Arbitrary<String> id = Arbitraries.strings().ofMinLength(1).ofMaxLength(20);
        return Combinators.combine(id, Arbitraries.longs(), Arbitraries.shorts(), Arbitraries.integers(),
            Arbitraries.of(TxnState.class), parts, Arbitraries.longs(), Arbitraries.longs())
            .as((i, pid, epoch, timeout, state, p, start, update) -> new TxnMetadata(i, pid, pid - 1, epoch,
                (short) (epoch - 1), timeout, state, p, start, update));
    }
}
