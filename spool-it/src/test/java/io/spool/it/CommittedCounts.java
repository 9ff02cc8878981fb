package io.spool.it;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Every update of the counts in {@link WordCountApp}'s two output topics, read {@code read_committed} from the
 * start, in the order of each partition (a key's updates are in one partition, so in the order they were written).
 * Used by one test thread.
 */
final class CommittedCounts implements AutoCloseable {
    private final KafkaConsumer<String, Long> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final Map<String, Map<String, List<Long>>> updates = new TreeMap<>();
    private long total;

    CommittedCounts(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, LongDeserializer.class.getName());
        consumer = new KafkaConsumer<>(props);
        for (String topic : List.of(WordCountApp.COUNTS, WordCountApp.WINDOWED)) {
            updates.put(topic, new TreeMap<>());
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads what is committed and not read yet, waiting at most a little for it. */
    void poll() {
        for (ConsumerRecord<String, Long> record : consumer.poll(Duration.ofMillis(100))) {
            updates.get(record.topic()).computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.value());
            total++;
        }
    }

    /** Reads up to the last stable offset of every partition as it is now. */
    void drain() {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            poll();
            return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
        });
    }

    /** Updates read so far, over both topics. */
    long updates() {
        return total;
    }

    /** The updates of each key of {@code topic}, in the order written. */
    Map<String, List<Long>> updates(String topic) {
        return updates.get(topic);
    }

    /** Whether every key of {@code expected} has an update of at least its expected count in {@code topic}. */
    boolean reached(String topic, Map<String, Long> expected) {
        Map<String, List<Long>> read = updates.get(topic);
        return expected.entrySet().stream().allMatch(e -> {
            List<Long> values = read.get(e.getKey());
            return values != null && values.get(values.size() - 1) >= e.getValue();
        });
    }

    @Override
    public void close() {
        consumer.close();
    }
}
