package io.spool.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.spool.metadata.ConfigRecord;
import io.spool.metadata.ConfigResourceType;
import io.spool.metadata.DynamicBrokerConfigs;
import io.spool.metadata.MetadataDelta;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.MetadataRecord;
import io.spool.metadata.PartitionRecord;
import io.spool.metadata.TopicRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class ReplicationThrottlesTest {
    private static final TopicPartition P0 = new TopicPartition("moving", 0);
    private static final TopicPartition P1 = new TopicPartition("moving", 1);

    private final AtomicLong nanos = new AtomicLong();
    private final ReplicationThrottles throttles = new ReplicationThrottles(1, nanos::get);

    private static MetadataImage image(String leaderReplicas, String followerReplicas, String leaderRate) {
        Uuid id = Uuid.randomUuid();
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new TopicRecord("moving", id));
        for (int p = 0; p < 2; p++) {
            records.add(new PartitionRecord(id, p, List.of(1, 2), List.of(1, 2), 1, 0, 0, List.of(), List.of()));
        }
        records.add(new ConfigRecord(ConfigResourceType.TOPIC, "moving", "leader.replication.throttled.replicas",
                leaderReplicas));
        records.add(new ConfigRecord(ConfigResourceType.TOPIC, "moving", "follower.replication.throttled.replicas",
                followerReplicas));
        records.add(new ConfigRecord(ConfigResourceType.BROKER, "", DynamicBrokerConfigs.LEADER_REPLICATION_THROTTLED_RATE,
                leaderRate));
        records.add(new ConfigRecord(ConfigResourceType.BROKER, "1",
                DynamicBrokerConfigs.FOLLOWER_REPLICATION_THROTTLED_RATE, "100"));
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        records.forEach(delta::replay);
        return delta.apply(records.size());
    }

    @Test
    void shouldThrottleOnlyListedOutOfSyncReplicasOfThisBrokerWhenQuotaExceeded() {
        throttles.update(image("0:1,1:2", "*", "100"));
        assertThat(throttles.shouldLeaderThrottle(P0, false)).isFalse();

        throttles.recordLeader(P0, 101);

        assertThat(throttles.shouldLeaderThrottle(P0, false)).isTrue();
        assertThat(throttles.shouldLeaderThrottle(P0, true)).as("in the ISR").isFalse();
        assertThat(throttles.shouldLeaderThrottle(P1, false)).as("listed for broker 2").isFalse();
    }

    @Test
    void shouldNotCountBytesOfUnthrottledPartitions() {
        throttles.update(image("0:1", "0:1", "100"));

        throttles.recordLeader(P1, 10_000);
        throttles.recordFollower(P1, 10_000);

        assertThat(throttles.shouldLeaderThrottle(P0, false)).isFalse();
        assertThat(throttles.shouldFollowerThrottle(P0, false)).isFalse();
    }

    @Test
    void shouldThrottleEveryPartitionOnFollowerSideWhenStar() {
        throttles.update(image("", "*", "100"));

        throttles.recordFollower(P1, 101);

        assertThat(throttles.shouldFollowerThrottle(P0, false)).isTrue();
        assertThat(throttles.shouldFollowerThrottle(P1, false)).isTrue();
        assertThat(throttles.shouldFollowerThrottle(P1, true)).isFalse();
    }

    @Test
    void shouldStopThrottlingWhenConfigsAreRemoved() {
        throttles.update(image("*", "*", "100"));
        throttles.recordLeader(P0, 1000);
        assertThat(throttles.shouldLeaderThrottle(P0, false)).isTrue();

        throttles.update(image(null, null, null));

        assertThat(throttles.shouldLeaderThrottle(P0, false)).isFalse();
    }
}
