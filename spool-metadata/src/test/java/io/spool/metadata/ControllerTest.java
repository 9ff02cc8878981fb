package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ControllerTest {
    private final LocalMetadataQuorum quorum = new LocalMetadataQuorum().withBrokers(0, 1, 2);
    private Controller controller = new Controller(quorum, Clock.systemUTC(), ControllerSettings.defaults());

    @AfterEach
    void close() {
        controller.close();
    }

    private CreateTopicResult create(CreateTopicSpec spec) {
        List<CreateTopicResult> results = controller.createTopics(List.of(spec), false).join();
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    private static CreateTopicSpec manual(String name, Map<Integer, List<Integer>> assignments) {
        return new CreateTopicSpec(name, -1, (short) -1, assignments, Map.of());
    }

    @Test
    void shouldCreateTopicInOneAtomicBatchWhenValid() {
        int before = quorum.log().size();
        CreateTopicResult result = create(CreateTopicSpec.of("orders", 4, 2).withConfigs(Map.of("retention.ms", "100")));

        assertThat(result.error()).isEqualTo(Errors.NONE);
        assertThat(result.numPartitions()).isEqualTo(4);
        assertThat(result.replicationFactor()).isEqualTo((short) 2);
        assertThat(result.configs()).containsEntry("retention.ms", "100").containsEntry("segment.ms", "604800000");
        assertThat(quorum.log()).hasSize(before + 1);
        TopicImage topic = quorum.image().topics().byName("orders").orElseThrow();
        assertThat(topic.id()).isEqualTo(result.topicId()).isNotEqualTo(Uuid.ZERO_UUID);
        assertThat(topic.partitions()).hasSize(4);
        for (PartitionRecord p : topic.partitions().values()) {
            assertThat(p.replicas()).hasSize(2).doesNotHaveDuplicates();
            assertThat(p.isr()).isEqualTo(p.replicas());
            assertThat(p.leader()).isEqualTo(p.replicas().get(0));
            assertThat(p.leaderEpoch()).isZero();
            assertThat(p.partitionEpoch()).isZero();
        }
        assertThat(topic.partitions().values()).extracting(PartitionRecord::leader).contains(0, 1, 2);
        assertThat(quorum.image().configs().topicConfigs("orders")).isEqualTo(Map.of("retention.ms", "100"));
    }

    @Test
    void shouldNameOnlyTheFirstTwentyCreatedTopicsInTheLog() {
        List<CreateTopicResult> results = new ArrayList<>();
        results.add(CreateTopicResult.error("refused", Errors.TOPIC_ALREADY_EXISTS, "exists"));
        for (int i = 0; i < 25; i++) {
            results.add(new CreateTopicResult("t" + i, Uuid.randomUuid(), Errors.NONE, null, 1, (short) 1, Map.of()));
        }

        assertThat(Controller.createdNames(results.subList(0, 3))).isEqualTo("[t0, t1]");
        assertThat(Controller.createdNames(results)).startsWith("[t0, t1, ").endsWith(", t19] and 5 more")
                .doesNotContain("refused");
    }

    @Test
    void shouldUseDefaultsWhenCountsAreMinusOne() {
        controller.close();
        controller = new Controller(quorum, Clock.systemUTC(),
                ControllerSettings.defaults().withDefaultPartitions(3).withDefaultReplicationFactor((short) 3)
                        .withBrokerConfigs(Map.of("log.retention.ms", "77")));
        CreateTopicResult result = create(CreateTopicSpec.of("d", -1, -1));
        assertThat(result.numPartitions()).isEqualTo(3);
        assertThat(result.replicationFactor()).isEqualTo((short) 3);
        assertThat(result.configs()).containsEntry("retention.ms", "77");
    }

    @Test
    void shouldReturnTopicAlreadyExistsWhenNameTaken() {
        create(CreateTopicSpec.of("a", 1, 1));
        assertThat(create(CreateTopicSpec.of("a", 1, 1)).error()).isEqualTo(Errors.TOPIC_ALREADY_EXISTS);
    }

    @Test
    void shouldReturnInvalidTopicWhenNameIllegalOrColliding() {
        assertThat(create(CreateTopicSpec.of("", 1, 1)).error()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(create(CreateTopicSpec.of(".", 1, 1)).error()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(create(CreateTopicSpec.of("..", 1, 1)).error()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(create(CreateTopicSpec.of("a b", 1, 1)).error()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(create(CreateTopicSpec.of("x".repeat(250), 1, 1)).error())
                .isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(create(CreateTopicSpec.of("x".repeat(249), 1, 1)).error()).isEqualTo(Errors.NONE);
        create(CreateTopicSpec.of("my.topic", 1, 1));
        CreateTopicResult collision = create(CreateTopicSpec.of("my_topic", 1, 1));
        assertThat(collision.error()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(collision.message()).contains("collides with existing topic: my.topic");
    }

    @Test
    void shouldReturnInvalidRequestForDuplicateNamesAndCreateTheOthers() {
        List<CreateTopicResult> results = controller.createTopics(List.of(CreateTopicSpec.of("dup", 1, 1),
                CreateTopicSpec.of("ok", 1, 1), CreateTopicSpec.of("dup", 2, 1)), false).join();
        assertThat(results).extracting(CreateTopicResult::name).containsExactly("dup", "ok");
        assertThat(results).extracting(CreateTopicResult::error).containsExactly(Errors.INVALID_REQUEST, Errors.NONE);
        assertThat(quorum.image().topics().byName("dup")).isEmpty();
    }

    @Test
    void shouldValidateCounts() {
        assertThat(create(CreateTopicSpec.of("p0", 0, 1)).error()).isEqualTo(Errors.INVALID_PARTITIONS);
        assertThat(create(CreateTopicSpec.of("p2", -2, 1)).error()).isEqualTo(Errors.INVALID_PARTITIONS);
        assertThat(create(CreateTopicSpec.of("r0", 1, 0)).error()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR);
        assertThat(create(CreateTopicSpec.of("r2", 1, -2)).error()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR);
        CreateTopicResult tooMany = create(CreateTopicSpec.of("r4", 1, 4));
        assertThat(tooMany.error()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR);
        assertThat(tooMany.message()).isEqualTo("Unable to replicate the partition 4 time(s): The target replication"
                + " factor of 4 cannot be reached because only 3 unfenced broker(s) are registered.");
        assertThat(quorum.image().topics().all()).isEmpty();
    }

    @Test
    void shouldValidateManualAssignments() {
        CreateTopicResult ok = create(manual("m", Map.of(0, List.of(2, 0), 1, List.of(1, 2))));
        assertThat(ok.error()).isEqualTo(Errors.NONE);
        assertThat(quorum.image().topics().byName("m").orElseThrow().partition(0).replicas()).containsExactly(2, 0);
        assertThat(create(new CreateTopicSpec("c", 1, (short) -1, Map.of(0, List.of(0)), Map.of())).error())
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(create(new CreateTopicSpec("c", -1, (short) 1, Map.of(0, List.of(0)), Map.of())).error())
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(create(manual("e", Map.of(0, List.of()))).error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(create(manual("u", Map.of(0, List.of(9)))).error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(create(manual("d", Map.of(0, List.of(1, 1)))).error())
                .isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(create(manual("g", Map.of(0, List.of(1), 2, List.of(1)))).error())
                .isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(create(manual("i", Map.of(0, List.of(1), 1, List.of(1, 2)))).error())
                .isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
    }

    @Test
    void shouldReturnInvalidConfigWhenConfigUnknownOrInvalid() {
        assertThat(create(CreateTopicSpec.of("c", 1, 1).withConfigs(Map.of("no.such", "1"))).error())
                .isEqualTo(Errors.INVALID_CONFIG);
        assertThat(create(CreateTopicSpec.of("c", 1, 1).withConfigs(Map.of("segment.bytes", "13"))).error())
                .isEqualTo(Errors.INVALID_CONFIG);
        assertThat(create(CreateTopicSpec.of("c", 1, 1).withConfigs(Map.of("cleanup.policy", "compact,x"))).error())
                .isEqualTo(Errors.INVALID_CONFIG);
        assertThat(create(CreateTopicSpec.of("c", 1, 1).withConfigs(Map.of("cleanup.policy", "compact,delete")))
                .error()).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldNotAppendWhenValidateOnly() {
        int before = quorum.log().size();
        List<CreateTopicResult> results = controller.createTopics(List.of(CreateTopicSpec.of("v", 2, 1)), true).join();
        assertThat(results.get(0).error()).isEqualTo(Errors.NONE);
        assertThat(quorum.log()).hasSize(before);
    }

    @Test
    void shouldReturnNotControllerWhenAppendFails() {
        quorum.failAppends(new NotControllerException("not leader"));
        assertThat(create(CreateTopicSpec.of("a", 1, 1)).error()).isEqualTo(Errors.NOT_CONTROLLER);
    }

    @Test
    void shouldDeleteTopicsByNameAndIdWithErrorsForTheRest() {
        Uuid a = create(CreateTopicSpec.of("a", 1, 1)).topicId();
        Uuid b = create(CreateTopicSpec.of("b", 1, 1)).topicId();
        Uuid c = create(CreateTopicSpec.of("c", 1, 1)).topicId();
        create(CreateTopicSpec.of("d", 1, 1));
        quorum.append(List.of(new ConfigRecord(ConfigResourceType.TOPIC, "a", "retention.ms", "5"))).join();

        List<DeleteTopicResult> results = controller.deleteTopics(List.of("a", "nope", "dd", "dd", "c"),
                List.of(b, Uuid.randomUuid(), Uuid.ZERO_UUID, c)).join();

        assertThat(results).filteredOn(r -> r.error() == Errors.NONE)
                .extracting(DeleteTopicResult::name).containsExactlyInAnyOrder("a", "b");
        assertThat(results).filteredOn(r -> "nope".equals(r.name())).singleElement()
                .extracting(DeleteTopicResult::error).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(results).filteredOn(r -> r.error() == Errors.UNKNOWN_TOPIC_ID).hasSize(1);
        assertThat(results).filteredOn(r -> "dd".equals(r.name())).singleElement()
                .extracting(DeleteTopicResult::error).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(results).filteredOn(r -> c.equals(r.id())).isNotEmpty()
                .allMatch(r -> r.error() == Errors.INVALID_REQUEST);
        assertThat(quorum.image().topics().all()).extracting(TopicImage::name).containsExactlyInAnyOrder("c", "d");
        assertThat(quorum.image().configs().topicConfigs("a")).isEmpty();
        assertThat(quorum.image().topics().byId(a)).isEmpty();
    }

    @Test
    void shouldReturnTopicDeletionDisabledWhenDisabled() {
        controller.close();
        controller = new Controller(quorum, Clock.systemUTC(), ControllerSettings.defaults().withDeleteTopicEnable(false));
        create(CreateTopicSpec.of("a", 1, 1));
        assertThat(controller.deleteTopics(List.of("a"), List.of()).join())
                .extracting(DeleteTopicResult::error).containsExactly(Errors.TOPIC_DELETION_DISABLED);
    }

    @Test
    void shouldAllocateConsecutiveDurableProducerIdBlocks() {
        assertThat(controller.allocateProducerIds(0, 1000).join()).isEqualTo(new ProducerIdBlock(0, 1000));
        assertThat(controller.allocateProducerIds(1, 1000).join()).isEqualTo(new ProducerIdBlock(1000, 1000));
        assertThat(quorum.image().nextProducerId()).isEqualTo(2000);
        assertThatThrownBy(() -> controller.allocateProducerIds(1, 0).join()).hasCauseInstanceOf(
                IllegalArgumentException.class);
    }

    @Test
    void shouldSerializeConcurrentCreatesOfTheSameName() {
        var first = controller.createTopics(List.of(CreateTopicSpec.of("same", 1, 1)), false);
        var second = controller.createTopics(List.of(CreateTopicSpec.of("same", 1, 1)), false);
        assertThat(List.of(first.join().get(0).error(), second.join().get(0).error()))
                .containsExactly(Errors.NONE, Errors.TOPIC_ALREADY_EXISTS);
    }
}
