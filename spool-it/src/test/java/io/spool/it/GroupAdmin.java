package io.spool.it;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What the group tests ask a node through kafka-clients' Admin, as a user's tooling would, and the records they
 * write. Stateless.
 */
final class GroupAdmin {
    private GroupAdmin() {
    }

    /** Whether every member owns a partition and together they own partitions 0 to n-1, each exactly once. */
    static boolean sharesEveryPartition(ConsumerGroupDescription d, int partitions) {
        List<Integer> owned = new ArrayList<>();
        for (MemberDescription m : d.members()) {
            if (m.assignment().topicPartitions().isEmpty()) {
                return false;
            }
            m.assignment().topicPartitions().forEach(tp -> owned.add(tp.partition()));
        }
        return owned.size() == partitions && new TreeSet<>(owned).equals(
                IntStream.range(0, partitions).boxed().collect(Collectors.toCollection(TreeSet::new)));
    }

    /**
     * Waits until {@code group} is Stable, its members as {@code expected} says, each owning at least one partition
     * and together partitions 0 to n-1 of its topic exactly once; the description that showed it.
     */
    static ConsumerGroupDescription awaitStable(Admin admin, String group, int partitions, Duration atMost,
            Predicate<ConsumerGroupDescription> expected, String what) {
        AtomicReference<ConsumerGroupDescription> seen = new AtomicReference<>();
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                ConsumerGroupDescription d = describe(admin, group);
                seen.set(d);
                return d.groupState() == GroupState.STABLE && expected.test(d) && sharesEveryPartition(d, partitions);
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("Group " + group + " did not become Stable with " + what + " sharing every"
                    + " partition within " + atMost + "; last seen: " + seen.get(), e);
        }
        return seen.get();
    }

    static Set<String> memberIds(ConsumerGroupDescription d) {
        return d.members().stream().map(MemberDescription::consumerId).collect(Collectors.toSet());
    }

    static ConsumerGroupDescription describe(Admin admin, String group) throws Exception {
        return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(10, TimeUnit.SECONDS);
    }

    static Map<TopicPartition, Long> committedOffsets(Admin admin, String group) throws Exception {
        Map<TopicPartition, Long> committed = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        offsets.forEach((tp, om) -> {
            if (om != null) {
                committed.put(tp, om.offset());
            }
        });
        return committed;
    }

    static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        IntStream.range(0, partitions).forEach(p -> request.put(new TopicPartition(topic, p), OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    static void createTopic(SpoolProcess node, String topic, int partitions) throws Exception {
        try (Admin admin = Clients.admin(node.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    /** Writes records {@code from} to {@code to} (exclusive) of every partition, value "partition-i". */
    static void produceToEachPartition(SpoolProcess node, String topic, int partitions, int from, int to)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(node.bootstrap(), Map.of())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = from; i < to; i++) {
                for (int p = 0; p < partitions; p++) {
                    sent.add(producer.send(new ProducerRecord<>(topic, p, null,
                            (p + "-" + i).getBytes(StandardCharsets.UTF_8))));
                }
            }
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        }
    }
}
