package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Records written by a real idempotent producer, kept as the consumer should later see them (partition, offset, key,
 * value), and the check that a real consumer reads exactly those back. Stateless.
 */
final class AckedRecords {
    private AckedRecords() {
    }

    /**
     * Produces {@code count} records with keys {@code <tag>-<i>} and random values round-robin over the partitions,
     * and returns each as acknowledged: at the partition and offset the broker gave it.
     */
    static List<ConsumerRecord<byte[], byte[]>> produce(String bootstrap, String topic, int partitions, int count,
            String tag, Random random) throws Exception {
        List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(bootstrap,
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 5))) {
            for (int i = 0; i < count; i++) {
                byte[] value = new byte[random.nextInt(300)];
                random.nextBytes(value);
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, i % partitions,
                        System.currentTimeMillis(), (tag + "-" + i).getBytes(StandardCharsets.UTF_8), value);
                sent.add(record);
                acks.add(producer.send(record));
            }
            producer.flush();
        }
        List<ConsumerRecord<byte[], byte[]>> produced = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            RecordMetadata metadata = acks.get(i).get(30, TimeUnit.SECONDS);
            ProducerRecord<byte[], byte[]> record = sent.get(i);
            produced.add(new ConsumerRecord<>(topic, metadata.partition(), metadata.offset(), record.key(),
                    record.value()));
        }
        return produced;
    }

    /** Reads {@code expected} records from the start of the partitions with assign/seek, and checks none follow. */
    static List<ConsumerRecord<byte[], byte[]>> readFromBeginning(String bootstrap, List<TopicPartition> partitions,
            int expected) {
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, Map.of())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
            assertThat(read).as("records read back from %s", partitions).hasSize(expected);
            assertThat(consumer.poll(Duration.ofMillis(300))).as("records beyond those produced").isEmpty();
        }
        return read;
    }

    /** Every expected record was read at its partition and offset, with its key and value, and nothing else. */
    static void assertSame(List<ConsumerRecord<byte[], byte[]>> read, List<ConsumerRecord<byte[], byte[]>> expected) {
        Map<TopicPartition, Map<Long, ConsumerRecord<byte[], byte[]>>> byPosition = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : read) {
            byPosition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), p -> new HashMap<>())
                    .put(r.offset(), r);
        }
        for (ConsumerRecord<byte[], byte[]> e : expected) {
            ConsumerRecord<byte[], byte[]> r = byPosition.getOrDefault(new TopicPartition(e.topic(), e.partition()),
                    Map.of()).get(e.offset());
            assertThat(r).as("record at %s-%d offset %d", e.topic(), e.partition(), e.offset()).isNotNull();
            assertThat(r.key()).isEqualTo(e.key());
            assertThat(r.value()).as("value at %s-%d offset %d", e.topic(), e.partition(), e.offset())
                    .isEqualTo(e.value());
        }
        assertThat(read).hasSameSizeAs(expected);
    }
}
