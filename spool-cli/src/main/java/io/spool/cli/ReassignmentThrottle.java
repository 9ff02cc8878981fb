package io.spool.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;

/**
 * The replication throttle (KIP-73) of a set of partition moves, as Kafka's reassignment tool sets it: on every
 * broker involved, {@code leader.replication.throttled.rate} and {@code follower.replication.throttled.rate}; on every
 * moved topic, {@code leader.replication.throttled.replicas} naming the current replicas (which serve the copies)
 * and {@code follower.replication.throttled.replicas} naming the new ones (which fetch them). Immutable.
 */
final class ReassignmentThrottle {
    static final String LEADER_RATE = "leader.replication.throttled.rate";
    static final String FOLLOWER_RATE = "follower.replication.throttled.rate";
    static final String LEADER_REPLICAS = "leader.replication.throttled.replicas";
    static final String FOLLOWER_REPLICAS = "follower.replication.throttled.replicas";

    private final Set<Integer> brokers;
    /** Per topic: the leader and the follower replica lists, "partition:broker,...". */
    private final Map<String, String[]> topics;

    private ReassignmentThrottle(Set<Integer> brokers, Map<String, String[]> topics) {
        this.brokers = brokers;
        this.topics = topics;
    }

    /** The throttle of moving the partitions of {@code plan} from their {@code current} replicas. */
    static ReassignmentThrottle of(Map<TopicPartition, List<Integer>> current,
            Map<TopicPartition, List<Integer>> plan) {
        Set<Integer> brokers = new TreeSet<>();
        Map<String, List<String>> leaders = new TreeMap<>();
        Map<String, List<String>> followers = new TreeMap<>();
        plan.forEach((tp, target) -> {
            List<Integer> from = current.getOrDefault(tp, List.of());
            brokers.addAll(from);
            brokers.addAll(target);
            from.forEach(b -> leaders.computeIfAbsent(tp.topic(), t -> new ArrayList<>())
                    .add(tp.partition() + ":" + b));
            target.stream().filter(b -> !from.contains(b)).forEach(b -> followers.computeIfAbsent(tp.topic(),
                    t -> new ArrayList<>()).add(tp.partition() + ":" + b));
        });
        Map<String, String[]> topics = new TreeMap<>();
        for (String topic : leaders.keySet()) {
            topics.put(topic, new String[] {String.join(",", leaders.get(topic)),
                    String.join(",", followers.getOrDefault(topic, List.of()))});
        }
        return new ReassignmentThrottle(brokers, topics);
    }

    Set<Integer> brokers() {
        return brokers;
    }

    Set<String> topics() {
        return topics.keySet();
    }

    /** The leader and follower throttled-replica lists of a moved topic. */
    String[] replicas(String topic) {
        return topics.get(topic).clone();
    }

    /** Sets the rates on the brokers and the throttled replicas on the topics, before the moves start. */
    void apply(Admin client, long bytesPerSecond) throws ExecutionException, InterruptedException {
        Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
        for (int broker : brokers) {
            ops.put(new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(broker)), List.of(
                    set(LEADER_RATE, Long.toString(bytesPerSecond)),
                    set(FOLLOWER_RATE, Long.toString(bytesPerSecond))));
        }
        topics.forEach((topic, lists) -> ops.put(new ConfigResource(ConfigResource.Type.TOPIC, topic),
                List.of(set(LEADER_REPLICAS, lists[0]), set(FOLLOWER_REPLICAS, lists[1]))));
        client.incrementalAlterConfigs(ops).all().get();
    }

    /**
     * Removes every replication throttle of the cluster: the rates of every live broker and the throttled-replica
     * lists of every topic that has them. Returns how many brokers and topics were changed.
     */
    static int clearAll(Admin client, Collection<Integer> liveBrokers, Collection<String> allTopics)
            throws ExecutionException, InterruptedException {
        List<ConfigResource> resources = new ArrayList<>();
        liveBrokers.forEach(b -> resources.add(new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(b))));
        allTopics.forEach(t -> resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t)));
        Map<ConfigResource, Config> configs = resources.isEmpty() ? Map.of()
                : client.describeConfigs(resources).all().get();
        Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
        configs.forEach((resource, config) -> {
            List<AlterConfigOp> deletes = new ArrayList<>();
            for (String name : List.of(LEADER_RATE, FOLLOWER_RATE, LEADER_REPLICAS, FOLLOWER_REPLICAS)) {
                ConfigEntry entry = config.get(name);
                if (entry != null && (entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG
                        || entry.source() == ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG)) {
                    deletes.add(new AlterConfigOp(new ConfigEntry(name, null), AlterConfigOp.OpType.DELETE));
                }
            }
            if (!deletes.isEmpty()) {
                ops.put(resource, deletes);
            }
        });
        if (!ops.isEmpty()) {
            client.incrementalAlterConfigs(ops).all().get();
        }
        return ops.size();
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }
}
