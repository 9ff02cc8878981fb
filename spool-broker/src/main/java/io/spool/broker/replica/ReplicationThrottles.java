package io.spool.broker.replica;

import io.spool.metadata.ConfigsImage;
import io.spool.metadata.DynamicBrokerConfigs;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.TopicImage;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;

/**
 * This broker's replication throttles (KIP-73), from the metadata: the leader and follower rates (dynamic broker
 * configs, the broker's own value before the cluster default) and the replicas they apply to (the topic configs
 * {@code leader.replication.throttled.replicas} and {@code follower.replication.throttled.replicas}: {@code *} or
 * {@code partition:brokerId} pairs, of which a broker keeps the partitions that name itself). As in Kafka, a leader
 * withholds records from a throttled replica only while that replica is out of the ISR and the leader quota is
 * exceeded, and a follower skips a throttled partition only while it is out of the ISR and the follower quota is
 * exceeded; the bytes of every throttled replica count against the quota. Thread-safe: {@link #update} runs on the
 * metadata thread, the checks on fetch paths read an immutable snapshot.
 */
public final class ReplicationThrottles {
    private final int nodeId;
    private final ReplicationQuota leaderQuota;
    private final ReplicationQuota followerQuota;
    private volatile Set<TopicPartition> leaderThrottled = Set.of();
    private volatile Set<TopicPartition> followerThrottled = Set.of();

    public ReplicationThrottles(int nodeId, LongSupplier nanoClock) {
        this.nodeId = nodeId;
        this.leaderQuota = new ReplicationQuota(nanoClock);
        this.followerQuota = new ReplicationQuota(nanoClock);
    }

    /** Takes the rates and throttled replicas from a new metadata image. */
    public void update(MetadataImage image) {
        ConfigsImage configs = image.configs();
        leaderQuota.updateRate(DynamicBrokerConfigs.effectiveLong(configs, nodeId,
                DynamicBrokerConfigs.LEADER_REPLICATION_THROTTLED_RATE));
        followerQuota.updateRate(DynamicBrokerConfigs.effectiveLong(configs, nodeId,
                DynamicBrokerConfigs.FOLLOWER_REPLICATION_THROTTLED_RATE));
        Set<TopicPartition> leader = new HashSet<>();
        Set<TopicPartition> follower = new HashSet<>();
        for (TopicImage topic : image.topics().all()) {
            var topicConfigs = configs.topicConfigs(topic.name());
            addThrottled(topic, topicConfigs.get("leader.replication.throttled.replicas"), leader);
            addThrottled(topic, topicConfigs.get("follower.replication.throttled.replicas"), follower);
        }
        leaderThrottled = Set.copyOf(leader);
        followerThrottled = Set.copyOf(follower);
    }

    private void addThrottled(TopicImage topic, String replicas, Set<TopicPartition> out) {
        if (replicas == null || replicas.isBlank()) {
            return;
        }
        if (replicas.trim().equals("*")) {
            topic.partitions().keySet().forEach(p -> out.add(new TopicPartition(topic.name(), p)));
            return;
        }
        for (String item : replicas.split(",")) {
            String[] pair = item.trim().split(":");
            if (pair.length == 2 && pair[1].trim().equals(Integer.toString(nodeId))) {
                out.add(new TopicPartition(topic.name(), Integer.parseInt(pair[0].trim())));
            }
        }
    }

    /** Whether a leader returns no records of {@code tp} to a follower this round (Kafka's shouldLeaderThrottle). */
    public boolean shouldLeaderThrottle(TopicPartition tp, boolean followerInIsr) {
        return !followerInIsr && leaderThrottled.contains(tp) && leaderQuota.isExceeded();
    }

    /** Counts bytes a leader returns to a follower, if {@code tp} is throttled on the leader side. */
    public void recordLeader(TopicPartition tp, long bytes) {
        if (bytes > 0 && leaderThrottled.contains(tp)) {
            leaderQuota.record(bytes);
        }
    }

    /** Whether this follower leaves {@code tp} out of its next fetch. */
    public boolean shouldFollowerThrottle(TopicPartition tp, boolean inIsr) {
        return !inIsr && followerThrottled.contains(tp) && followerQuota.isExceeded();
    }

    /** Counts bytes this follower fetched, if {@code tp} is throttled on the follower side. */
    public void recordFollower(TopicPartition tp, long bytes) {
        if (bytes > 0 && followerThrottled.contains(tp)) {
            followerQuota.record(bytes);
        }
    }
}
