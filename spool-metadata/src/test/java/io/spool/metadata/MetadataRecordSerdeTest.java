package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.common.Uuid;

class MetadataRecordSerdeTest {

    @Property(tries = 300)
    void shouldRoundTripEveryRecordType(@ForAll("batches") List<MetadataRecord> records) {
        assertThat(MetadataRecordSerde.decode(MetadataRecordSerde.encode(records))).isEqualTo(records);
    }

    /** The bytes of every record type, as written since its type id was taken: a log must stay readable. */
    @Example
    void shouldEncodeEveryRecordTypeAsItAlwaysHas() {
        Uuid id = new Uuid(0x0102030405060708L, 0x090A0B0C0D0E0F10L);
        List<MetadataRecord> records = List.of(new TopicRecord("t", id),
                new PartitionRecord(id, 1, List.of(1, 2), List.of(2), 2, 3, 4), new RemoveTopicRecord(id),
                new ConfigRecord(ConfigResourceType.TOPIC, "t", "k", null), new ProducerIdsRecord(1, 2),
                new RegisterBrokerRecord(1, "c", 2, List.of(new Endpoint("L", "h", 3)), null), NoOpRecord.INSTANCE,
                new FenceBrokerRecord(1, 2), new UnfenceBrokerRecord(3, 4));
        String uuid = "0102030405060708090a0b0c0d0e0f10";
        String expected = "00" + "%s" + "00000009"
                + "01" + "0001" + "74" + uuid
                + "02" + uuid + "00000001" + "00000002" + "00000001" + "00000002" + "00000001" + "00000002"
                + "00000002" + "00000003" + "00000004"
                + "03" + uuid
                + "04" + "00" + "0001" + "74" + "0001" + "6b" + "ffff"
                + "05" + "00000001" + "0000000000000002"
                + "06" + "00000001" + "0001" + "63" + "0000000000000002" + "00000001" + "0001" + "4c" + "0001" + "68"
                + "00000003" + "ffff"
                + "07"
                + "08" + "00000001" + "0000000000000002"
                + "09" + "00000003" + "0000000000000004";
        String hex = HexFormat.of().formatHex(MetadataRecordSerde.encode(records));
        assertThat(hex).isEqualTo(String.format(expected, hex.substring(2, 10)));
    }

    /** Type 10, added after the others: its own example so that theirs stays as written. */
    @Example
    void shouldEncodePartitionReassignmentRecord() {
        Uuid id = new Uuid(0x0102030405060708L, 0x090A0B0C0D0E0F10L);
        String hex = HexFormat.of().formatHex(MetadataRecordSerde.encode(List.of(
                new PartitionReassignmentRecord(id, 1, List.of(4), List.of(2, 3)))));
        String expected = "00" + "%s" + "00000001"
                + "0a" + "0102030405060708090a0b0c0d0e0f10" + "00000001" + "00000001" + "00000004"
                + "00000002" + "00000002" + "00000003";
        assertThat(hex).isEqualTo(String.format(expected, hex.substring(2, 10)));
    }

    /**
     * PartitionRecord v1 (type 11, KIP-966) adds the ELR and last known ELR; a record with both empty is still
     * written as v0 (type 2), and v0 reads with both empty.
     */
    @Example
    void shouldEncodePartitionRecordWithElrAsV1AndReadV0WithEmptyElr() {
        Uuid id = new Uuid(0x0102030405060708L, 0x090A0B0C0D0E0F10L);
        PartitionRecord withElr = new PartitionRecord(id, 1, List.of(1, 2, 3), List.of(), -1, 3, 4, List.of(2, 1),
                List.of(1));
        String hex = HexFormat.of().formatHex(MetadataRecordSerde.encode(List.of(withElr)));
        String uuid = "0102030405060708090a0b0c0d0e0f10";
        String expected = "00" + "%s" + "00000001"
                + "0b" + uuid + "00000001" + "00000003" + "00000001" + "00000002" + "00000003" + "00000000"
                + "ffffffff" + "00000003" + "00000004" + "00000002" + "00000002" + "00000001" + "00000001"
                + "00000001";
        assertThat(hex).isEqualTo(String.format(expected, hex.substring(2, 10)));

        PartitionRecord v0 = new PartitionRecord(id, 1, List.of(1, 2), List.of(2), 2, 3, 4);
        byte[] v0Bytes = MetadataRecordSerde.encode(List.of(v0));
        assertThat(v0Bytes[9]).as("type of a record without ELR").isEqualTo((byte) 2);
        PartitionRecord read = (PartitionRecord) MetadataRecordSerde.decode(v0Bytes).get(0);
        assertThat(read.elr()).isEmpty();
        assertThat(read.lastKnownElr()).isEmpty();
        assertThat(read).isEqualTo(v0);
    }

    @Property(tries = 200)
    void shouldRejectAnyFlippedByte(@ForAll("batches") @Size(min = 1) List<MetadataRecord> records,
            @ForAll("indexes") int indexSeed, @ForAll("nonZeroBytes") byte flip) {
        byte[] bytes = MetadataRecordSerde.encode(records);
        int index = Math.floorMod(indexSeed, bytes.length);
        bytes[index] ^= flip;
        assertThatThrownBy(() -> MetadataRecordSerde.decode(bytes)).isInstanceOf(CorruptMetadataException.class);
    }

    @Property(tries = 200)
    void shouldRejectTruncatedBatch(@ForAll("batches") @Size(min = 1) List<MetadataRecord> records,
            @ForAll("indexes") int cutSeed) {
        byte[] bytes = MetadataRecordSerde.encode(records);
        int length = Math.floorMod(cutSeed, bytes.length);
        byte[] cut = java.util.Arrays.copyOf(bytes, length);
        assertThatThrownBy(() -> MetadataRecordSerde.decode(cut)).isInstanceOf(CorruptMetadataException.class);
    }

    @Property(tries = 300)
    void shouldNeverFailOtherwiseOnGarbage(@ForAll byte[] garbage) {
        try {
            MetadataRecordSerde.decode(garbage);
        } catch (CorruptMetadataException expected) {
            // the only acceptable failure
        }
    }

    @Property(tries = 50)
    void shouldRejectHugeCountsWithoutAllocating(@ForAll("indexes") int ignored) {
        // a batch that claims 2^31-1 records in 0 bytes, with a valid checksum
        List<MetadataRecord> none = new ArrayList<>();
        byte[] bytes = MetadataRecordSerde.encode(none);
        java.nio.ByteBuffer.wrap(bytes).putInt(5, Integer.MAX_VALUE);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 5, bytes.length - 5);
        java.nio.ByteBuffer.wrap(bytes).putInt(1, (int) crc.getValue());
        assertThatThrownBy(() -> MetadataRecordSerde.decode(bytes)).isInstanceOf(CorruptMetadataException.class)
                .hasMessageContaining("Count");
    }

    @Provide
    Arbitrary<Integer> indexes() {
        return Arbitraries.integers();
    }

    @Provide
    Arbitrary<Byte> nonZeroBytes() {
        return Arbitraries.bytes().filter(b -> b != 0);
    }

    @Provide
    Arbitrary<List<MetadataRecord>> batches() {
        return record().list().ofMaxSize(20);
    }

    private static Arbitrary<MetadataRecord> record() {
        return Arbitraries.oneOf(topic(), partition(), removeTopic(), config(), producerIds(), registerBroker(),
                Arbitraries.just(NoOpRecord.INSTANCE), fenceBroker(), unfenceBroker(), partitionReassignment());
    }

    private static Arbitrary<String> strings() {
        return Arbitraries.strings().ofMaxLength(40);
    }

    private static Arbitrary<Uuid> uuids() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(Uuid::new);
    }

    private static Arbitrary<MetadataRecord> topic() {
        return Combinators.combine(strings(), uuids()).as(TopicRecord::new);
    }

    private static Arbitrary<MetadataRecord> partition() {
        Arbitrary<List<Integer>> ids = Arbitraries.integers().list().ofMaxSize(7);
        Arbitrary<PartitionRecord> base = Combinators.combine(uuids(), Arbitraries.integers(), ids, ids,
                Arbitraries.integers(), Arbitraries.integers(), Arbitraries.integers()).as(PartitionRecord::new);
        return Combinators.combine(base, ids, ids).as(PartitionRecord::withElr);
    }

    private static Arbitrary<MetadataRecord> partitionReassignment() {
        Arbitrary<List<Integer>> ids = Arbitraries.integers().list().ofMaxSize(7);
        return Combinators.combine(uuids(), Arbitraries.integers(), ids, ids).as(PartitionReassignmentRecord::new);
    }

    private static Arbitrary<MetadataRecord> removeTopic() {
        return uuids().map(RemoveTopicRecord::new);
    }

    private static Arbitrary<MetadataRecord> config() {
        return Combinators.combine(Arbitraries.of(ConfigResourceType.class), strings(), strings(),
                strings().injectNull(0.3)).as(ConfigRecord::new);
    }

    private static Arbitrary<MetadataRecord> producerIds() {
        return Combinators.combine(Arbitraries.integers(), Arbitraries.longs()).as(ProducerIdsRecord::new);
    }

    private static Arbitrary<MetadataRecord> fenceBroker() {
        return Combinators.combine(Arbitraries.integers(), Arbitraries.longs()).as(FenceBrokerRecord::new);
    }

    private static Arbitrary<MetadataRecord> unfenceBroker() {
        return Combinators.combine(Arbitraries.integers(), Arbitraries.longs()).as(UnfenceBrokerRecord::new);
    }

    private static Arbitrary<MetadataRecord> registerBroker() {
        Arbitrary<Endpoint> endpoint = Combinators.combine(strings(), strings(), Arbitraries.integers())
                .as(Endpoint::new);
        return Combinators.combine(Arbitraries.integers(), strings().injectNull(0.3), Arbitraries.longs(),
                endpoint.list().ofMaxSize(4), strings().injectNull(0.3)).as(RegisterBrokerRecord::new);
    }
}
