package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ReassignmentThrottleTest {
    @Test
    void shouldThrottleCurrentReplicasAsLeadersAndNewReplicasAsFollowersWhenPartitionsMove() {
        TopicPartition a0 = new TopicPartition("a", 0);
        TopicPartition a1 = new TopicPartition("a", 1);
        TopicPartition b0 = new TopicPartition("b", 0);
        Map<TopicPartition, List<Integer>> current = Map.of(a0, List.of(1, 2), a1, List.of(2, 3), b0, List.of(1));

        ReassignmentThrottle throttle = ReassignmentThrottle.of(current, Map.of(a0, List.of(2, 4), b0, List.of(3)));

        assertThat(throttle.brokers()).containsExactly(1, 2, 3, 4);
        assertThat(throttle.topics()).containsExactly("a", "b");
        assertThat(throttle.replicas("a")).containsExactly("0:1,0:2", "0:4");
        assertThat(throttle.replicas("b")).containsExactly("0:1", "0:3");
    }
}
