package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class MetadataDeltaTest {
    private static final Uuid FOO = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final Uuid BAR = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");

    private static PartitionRecord partition(Uuid topic, int index, int leader, int epoch) {
        return new PartitionRecord(topic, index, List.of(leader), List.of(leader), leader, epoch, epoch);
    }

    private static final List<List<MetadataRecord>> BATCHES = List.of(
            List.of(new RegisterBrokerRecord(0, "c", 1, List.of(new Endpoint("PLAINTEXT", "h", 9092)), null)),
            List.of(new TopicRecord("foo", FOO), new ConfigRecord(ConfigResourceType.TOPIC, "foo", "retention.ms", "1"),
                    partition(FOO, 0, 0, 0), partition(FOO, 1, 0, 0)),
            List.of(new ProducerIdsRecord(0, 1000), NoOpRecord.INSTANCE, new UnfenceBrokerRecord(0, 1)),
            List.of(partition(FOO, 1, 0, 1), new ConfigRecord(ConfigResourceType.BROKER, "", "log.retention.ms", "5"),
                    new RegisterBrokerRecord(1, "c", 5, List.of(new Endpoint("PLAINTEXT", "h1", 9092)), "r1"),
                    new UnfenceBrokerRecord(1, 5)),
            List.of(new TopicRecord("bar", BAR), partition(BAR, 0, 0, 0),
                    new ConfigRecord(ConfigResourceType.TOPIC, "foo", "retention.ms", null),
                    new ConfigRecord(ConfigResourceType.TOPIC, "foo", "segment.ms", "9")),
            List.of(new RemoveTopicRecord(FOO), new FenceBrokerRecord(0, 1)),
            List.of(new TopicRecord("foo", Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAw")), new RemoveTopicRecord(BAR),
                    new RegisterBrokerRecord(0, "c", 2, List.of(new Endpoint("PLAINTEXT", "h", 9093)), null)));

    /** Applies every batch in turn and checks each intermediate image. */
    @Test
    void shouldProduceExpectedImageAfterEveryBatch() {
        List<MetadataImage> images = applyAll();

        MetadataImage i0 = images.get(0);
        assertThat(i0.offset()).isEqualTo(0);
        assertThat(i0.cluster().brokers()).containsOnlyKeys(0);
        assertThat(i0.cluster().isFenced(0)).isTrue();
        assertThat(i0.cluster().registration(0).orElseThrow().epoch()).isEqualTo(1);
        assertThat(i0.topics().all()).isEmpty();

        MetadataImage i1 = images.get(1);
        assertThat(i1.topics().byName("foo").orElseThrow().partitions()).containsOnlyKeys(0, 1);
        assertThat(i1.topics().byId(FOO).orElseThrow().name()).isEqualTo("foo");
        assertThat(i1.configs().topicConfigs("foo")).isEqualTo(Map.of("retention.ms", "1"));
        assertThat(i1.cluster()).isSameAs(i0.cluster());

        MetadataImage i2 = images.get(2);
        assertThat(i2.nextProducerId()).isEqualTo(1000);
        assertThat(i2.topics()).isSameAs(i1.topics());
        assertThat(i2.cluster().unfencedBrokerIds()).containsExactly(0);
        assertThat(i2.cluster().isFenced(0)).isFalse();

        MetadataImage i3 = images.get(3);
        assertThat(i3.topics().byId(FOO).orElseThrow().partition(1).leaderEpoch()).isEqualTo(1);
        assertThat(i2.topics().byId(FOO).orElseThrow().partition(1).leaderEpoch()).isEqualTo(0);
        assertThat(i3.configs().brokerConfigs("")).isEqualTo(Map.of("log.retention.ms", "5"));
        assertThat(i3.cluster().unfencedBrokerIds()).containsExactly(0, 1);
        assertThat(i3.cluster().registration(1).orElseThrow().rack()).isEqualTo("r1");

        MetadataImage i4 = images.get(4);
        assertThat(i4.topics().all()).extracting(TopicImage::name).containsExactlyInAnyOrder("foo", "bar");
        assertThat(i4.configs().topicConfigs("foo")).isEqualTo(Map.of("segment.ms", "9"));

        MetadataImage i5 = images.get(5);
        assertThat(i5.topics().byId(FOO)).isEmpty();
        assertThat(i5.topics().byName("foo")).isEmpty();
        assertThat(i5.configs().topicConfigs("foo")).isEmpty();
        assertThat(i4.topics().byId(FOO)).isPresent();
        assertThat(i5.cluster().unfencedBrokerIds()).containsExactly(1);
        assertThat(i5.cluster().registrations()).containsOnlyKeys(0, 1);

        MetadataImage i6 = images.get(6);
        assertThat(i6.topics().all()).extracting(TopicImage::name).containsExactly("foo");
        assertThat(i6.topics().byName("foo").orElseThrow().id()).isNotEqualTo(FOO);
        BrokerRegistration again = i6.cluster().registration(0).orElseThrow();
        assertThat(again.epoch()).isEqualTo(2);
        assertThat(again.fenced()).isTrue();
        assertThat(again.endpoints()).containsExactly(new Endpoint("PLAINTEXT", "h", 9093));
        assertThat(i6.cluster().unfencedBrokerIds()).containsExactly(1);
    }

    @Test
    void shouldWriteUnfencingAfterTheRegistrationOfEveryUnfencedBroker() {
        List<MetadataRecord> records = applyAll().get(3).toRecords();
        assertThat(records.subList(0, 4)).containsExactly(BATCHES.get(0).get(0), new UnfenceBrokerRecord(0, 1),
                BATCHES.get(3).get(2), new UnfenceBrokerRecord(1, 5));
        assertThat(applyAll().get(6).toRecords()).filteredOn(r -> r instanceof UnfenceBrokerRecord)
                .containsExactly(new UnfenceBrokerRecord(1, 5));
    }

    @Test
    void shouldRebuildEveryIntermediateImageFromItsRecords() {
        for (MetadataImage image : applyAll()) {
            MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
            image.toRecords().forEach(delta::replay);
            assertThat(delta.apply(image.offset())).isEqualTo(image);
        }
    }

    @Test
    void shouldReachSameImageWhenReplayedOneRecordPerDelta() {
        MetadataImage image = MetadataImage.EMPTY;
        for (List<MetadataRecord> batch : BATCHES) {
            for (MetadataRecord record : batch) {
                MetadataDelta delta = new MetadataDelta(image);
                delta.replay(record);
                image = delta.apply(image.offset());
            }
            image = image.withOffset(image.offset() + 1);
        }
        assertThat(image).isEqualTo(applyAll().get(BATCHES.size() - 1));
    }

    @Test
    void shouldReportChangedAndDeletedTopics() {
        List<MetadataImage> images = applyAll();
        MetadataDelta create = new MetadataDelta(images.get(0));
        BATCHES.get(1).forEach(create::replay);
        assertThat(create.createdTopicIds()).containsExactly(FOO);
        assertThat(create.changedTopics()).containsOnlyKeys(FOO);
        assertThat(create.changedTopicConfigs()).containsExactly("foo");

        MetadataDelta fencing = new MetadataDelta(images.get(1));
        BATCHES.get(2).forEach(fencing::replay);
        assertThat(fencing.changedBrokers()).containsExactly(0);
        assertThat(fencing.broker(0).orElseThrow().fenced()).isFalse();
        assertThat(images.get(1).cluster().isFenced(0)).isTrue();

        MetadataDelta remove = new MetadataDelta(images.get(4));
        BATCHES.get(5).forEach(remove::replay);
        assertThat(remove.deletedTopics()).containsOnlyKeys(FOO);
        assertThat(remove.changedTopics()).isEmpty();

        MetadataDelta both = new MetadataDelta(images.get(0));
        BATCHES.get(1).forEach(both::replay);
        both.replay(new RemoveTopicRecord(FOO));
        assertThat(both.createdTopicIds()).isEmpty();
        assertThat(both.deletedTopics()).isEmpty();
        assertThat(both.apply(1).topics().all()).isEmpty();
    }

    @Test
    void shouldRejectRecordsThatContradictTheImage() {
        MetadataImage image = applyAll().get(1);
        assertThatThrownBy(() -> new MetadataDelta(image).replay(new TopicRecord("foo", BAR)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new MetadataDelta(image).replay(new TopicRecord("other", FOO)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new MetadataDelta(image).replay(partition(BAR, 0, 0, 0)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new MetadataDelta(image).replay(new RemoveTopicRecord(BAR)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new MetadataDelta(applyAll().get(2)).replay(new ProducerIdsRecord(0, 5)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new MetadataDelta(image).replay(new FenceBrokerRecord(9, 1)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new MetadataDelta(image).replay(new UnfenceBrokerRecord(9, 1)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new MetadataDelta(image).replay(new UnfenceBrokerRecord(0, 2)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new MetadataDelta(applyAll().get(6)).replay(new FenceBrokerRecord(0, 1)))
                .as("the epoch of the registration before the last").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldTrackReassignmentUntilClearedOrTopicRemoved() {
        MetadataImage base = applyAll().get(1);
        PartitionRecord moving = new PartitionRecord(FOO, 1, List.of(1, 0), List.of(0), 0, 0, 1);
        PartitionReassignmentRecord reassignment = new PartitionReassignmentRecord(FOO, 1, List.of(1), List.of(0));
        MetadataDelta start = new MetadataDelta(base);
        start.replay(moving);
        start.replay(reassignment);
        MetadataImage started = start.apply(2);

        assertThat(start.changedTopics()).containsOnlyKeys(FOO);
        assertThat(started.reassignment(FOO, 1)).contains(new Reassignment(List.of(1, 0), List.of(1), List.of(0)));
        assertThat(started.reassignment(FOO, 0)).isEmpty();
        assertThat(started.topics().byId(FOO).orElseThrow().reassignments()).containsOnlyKeys(1);
        assertThat(started.toRecords()).containsSubsequence(moving, reassignment);
        MetadataDelta rebuilt = new MetadataDelta(MetadataImage.EMPTY);
        started.toRecords().forEach(rebuilt::replay);
        assertThat(rebuilt.apply(2)).isEqualTo(started);

        MetadataDelta clear = new MetadataDelta(started);
        clear.replay(PartitionReassignmentRecord.cleared(FOO, 1));
        assertThat(clear.changedTopics()).containsOnlyKeys(FOO);
        assertThat(clear.apply(3).reassignment(FOO, 1)).isEmpty();
        assertThat(clear.apply(3).topics().byId(FOO)).isEqualTo(base.topics().byId(FOO).map(t ->
                new TopicImage(t.name(), t.id(), Map.of(0, t.partition(0), 1, moving))));

        MetadataDelta remove = new MetadataDelta(started);
        remove.replay(new RemoveTopicRecord(FOO));
        assertThat(remove.apply(3).reassignment(FOO, 1)).isEmpty();
        assertThat(remove.apply(3).toRecords()).noneMatch(r -> r instanceof PartitionReassignmentRecord);
    }

    @Test
    void shouldRejectReassignmentThatDoesNotFitThePartition() {
        MetadataImage image = applyAll().get(1);
        assertThatThrownBy(() -> new MetadataDelta(image).replay(new PartitionReassignmentRecord(BAR, 0, List.of(0),
                List.of()))).as("unknown topic").isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new MetadataDelta(image).replay(new PartitionReassignmentRecord(FOO, 5, List.of(0),
                List.of()))).as("unknown partition").isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new MetadataDelta(image).replay(new PartitionReassignmentRecord(FOO, 0, List.of(1),
                List.of()))).as("not a replica").isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new MetadataDelta(image).replay(new PartitionReassignmentRecord(FOO, 0, List.of(0),
                List.of(0)))).as("adding and removing").isInstanceOf(IllegalStateException.class);
    }

    private static List<MetadataImage> applyAll() {
        List<MetadataImage> images = new ArrayList<>();
        MetadataImage image = MetadataImage.EMPTY;
        for (int i = 0; i < BATCHES.size(); i++) {
            MetadataDelta delta = new MetadataDelta(image);
            BATCHES.get(i).forEach(delta::replay);
            image = delta.apply(i);
            images.add(image);
        }
        return images;
    }
}
