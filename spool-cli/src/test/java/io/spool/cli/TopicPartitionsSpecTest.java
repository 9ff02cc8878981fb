package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicPartitionsSpecTest {

    @Test
    void shouldMeanEveryPartitionWhenOnlyATopicIsGiven() {
        assertThat(TopicPartitionsSpec.parse("orders")).isEqualTo(new TopicPartitionsSpec("orders", List.of()));
    }

    @Test
    void shouldListPartitionsInTheOrderGivenWhenTheyFollowAColon() {
        assertThat(TopicPartitionsSpec.parse("orders.v2:3,0, 1"))
                .isEqualTo(new TopicPartitionsSpec("orders.v2", List.of(3, 0, 1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":0", "orders:", "orders:a", "orders:1,", "orders:-1"})
    void shouldBeAUsageErrorWhenTheTextIsNotTopicAndPartitions(String text) {
        assertThatThrownBy(() -> TopicPartitionsSpec.parse(text)).isInstanceOfSatisfying(CliException.class,
                e -> {
                    assertThat(e.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
                    assertThat(e.getMessage()).startsWith("Invalid --topic '" + text + "'");
                });
    }
}
