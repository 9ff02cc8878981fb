package io.spool.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class TopicConfigsTest {

    @Test
    void shouldDefineKafkaTopicConfigsWithBrokerSynonyms() {
        assertThat(TopicConfigs.all()).containsKeys("cleanup.policy", "compression.type", "delete.retention.ms",
                "file.delete.delay.ms", "flush.messages", "flush.ms", "index.interval.bytes", "max.compaction.lag.ms",
                "max.message.bytes", "message.timestamp.type", "message.timestamp.before.max.ms",
                "message.timestamp.after.max.ms", "min.cleanable.dirty.ratio", "min.compaction.lag.ms",
                "min.insync.replicas", "preallocate", "retention.bytes", "retention.ms", "segment.bytes",
                "segment.index.bytes", "segment.jitter.ms", "segment.ms", "unclean.leader.election.enable",
                "flush.on.ack");
        assertThat(TopicConfigs.all().get("retention.ms").brokerSynonym()).isEqualTo("log.retention.ms");
        assertThat(TopicConfigs.all().get("max.message.bytes").brokerSynonym()).isEqualTo("message.max.bytes");
        assertThat(TopicConfigs.all().get("segment.ms").brokerSynonym()).isEqualTo("log.roll.ms");
        assertThat(TopicConfigs.all().get("flush.on.ack").brokerSynonym()).isEqualTo("log.flush.on.ack");
        TopicConfigs.all().values().forEach(def -> assertThat(TopicConfigs.validate(def.name(), def.defaultValue()))
                .as(def.name()).isEmpty());
    }

    @Test
    void shouldRejectUnknownNamesAndInvalidValues() {
        assertThat(TopicConfigs.validate(Map.of("nope", "1"))).hasValueSatisfying(m -> assertThat(m).contains("nope"));
        assertThat(TopicConfigs.validate("segment.bytes", "1048575")).isPresent();
        assertThat(TopicConfigs.validate("segment.bytes", "1048576")).isEmpty();
        assertThat(TopicConfigs.validate("retention.ms", "-2")).isPresent();
        assertThat(TopicConfigs.validate("retention.ms", "-1")).isEmpty();
        assertThat(TopicConfigs.validate("retention.ms", "soon")).isPresent();
        assertThat(TopicConfigs.validate("min.cleanable.dirty.ratio", "1.5")).isPresent();
        assertThat(TopicConfigs.validate("compression.type", "brotli")).isPresent();
        assertThat(TopicConfigs.validate("message.timestamp.type", "LogAppendTime")).isEmpty();
        assertThat(TopicConfigs.validate("preallocate", "TRUE")).isEmpty();
        assertThat(TopicConfigs.validate("preallocate", "yes")).isPresent();
        assertThat(TopicConfigs.validate("min.insync.replicas", "0")).isPresent();
        assertThat(TopicConfigs.validate("retention.ms", null)).isPresent();
        assertThat(TopicConfigs.validate("leader.replication.throttled.replicas", "0:1,1:2")).isEmpty();
    }

    @Test
    void shouldRejectCleanupPolicyWithAnEmptyItemAsKafkaDoes() {
        for (String value : new String[] {"delete,", ",compact", "delete,,compact", "compact, delete, ", ","}) {
            assertThat(TopicConfigs.validate("cleanup.policy", value)).as(value)
                    .contains("Configuration 'cleanup.policy' values must not be empty.");
        }
    }

    @Test
    void shouldAcceptAnEmptyCleanupPolicyAsNoCleanup() {
        assertThat(TopicConfigs.validate("cleanup.policy", "")).isEmpty();
        assertThat(TopicConfigs.validate("cleanup.policy", " ")).isEmpty();
    }

    @Test
    void shouldAcceptCleanupPolicyListsWithSpacesOrDuplicates() {
        assertThat(TopicConfigs.validate("cleanup.policy", " compact , delete ")).isEmpty();
        assertThat(TopicConfigs.validate("cleanup.policy", "delete,delete")).isEmpty();
    }

    @Test
    void shouldNameTheFirstBadCleanupPolicyItemWhenOneIsUnknown() {
        assertThat(TopicConfigs.validate("cleanup.policy", "delete,Compact")).contains(
                "Invalid value Compact for configuration cleanup.policy: String must be one of: compact, delete");
        assertThat(TopicConfigs.validate("cleanup.policy", "foo,")).contains(
                "Invalid value foo for configuration cleanup.policy: String must be one of: compact, delete");
        assertThat(TopicConfigs.validate("cleanup.policy", ",foo"))
                .contains("Configuration 'cleanup.policy' values must not be empty.");
    }

    @Test
    void shouldReportInvalidValuesInKafkaConfigExceptionWording() {
        assertThat(TopicConfigs.validate("min.insync.replicas", "0"))
                .contains("Invalid value 0 for configuration min.insync.replicas: Value must be at least 1");
    }

    @Test
    void shouldResolveEffectiveValuesFromOverrideThenBrokerThenDefault() {
        Map<String, String> effective = TopicConfigs.effective(Map.of("retention.ms", "1"),
                Map.of("log.retention.ms", "2", "log.roll.ms", "3"));
        assertThat(effective).containsEntry("retention.ms", "1").containsEntry("segment.ms", "3")
                .containsEntry("cleanup.policy", "delete").hasSameSizeAs(TopicConfigs.all());
    }
}
