package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java client's contract: an idempotent producer's every acknowledged record is read back by an assign/seek
 * consumer exactly once, in order per partition, with key, value, headers and timestamp intact, for every codec.
 */
class ProduceConsumeIT {
    private static final int RECORDS = 100_000;
    private static final int PARTITIONS = 6;

    @TempDir
    static Path dir;
    static SpoolProcess spool;

    @BeforeAll
    static void startSpool() {
        spool = SpoolProcess.start(dir);
    }

    @AfterAll
    static void stopSpool() {
        if (spool != null) {
            spool.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void shouldReadBackEveryRecordInOrderWhenProducedIdempotently(String codec) throws Exception {
        String topic = "records-" + codec;
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
        }
        long baseTimestamp = System.currentTimeMillis() - RECORDS;
        List<Future<RecordMetadata>> acks = new ArrayList<>(RECORDS);
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(spool.bootstrap(),
                Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.LINGER_MS_CONFIG, 5))) {
            for (int i = 0; i < RECORDS; i++) {
                RecordHeaders headers = new RecordHeaders();
                headers.add("seq", bytes(Integer.toString(i)));
                headers.add("codec", bytes(codec));
                acks.add(producer.send(new ProducerRecord<>(topic, i % PARTITIONS, baseTimestamp + i, key(i),
                        value(i), headers)));
            }
            producer.flush();
        }
        Map<TopicPartition, List<Long>> ackedOffsets = new HashMap<>();
        for (int i = 0; i < RECORDS; i++) {
            RecordMetadata metadata = acks.get(i).get();
            assertThat(metadata.partition()).isEqualTo(i % PARTITIONS);
            ackedOffsets.computeIfAbsent(new TopicPartition(topic, metadata.partition()), p -> new ArrayList<>())
                    .add(metadata.offset());
        }
        for (List<Long> offsets : ackedOffsets.values()) {
            assertThat(offsets).as("acknowledged offsets are dense from 0")
                    .containsExactlyElementsOf(IntStream.range(0, offsets.size()).mapToObj(o -> (long) o).toList());
        }

        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> read = consumeAll(topic, RECORDS);
        for (int p = 0; p < PARTITIONS; p++) {
            List<ConsumerRecord<byte[], byte[]>> records = read.get(p);
            assertThat(records).hasSize(ackedOffsets.get(new TopicPartition(topic, p)).size());
            for (int n = 0; n < records.size(); n++) {
                ConsumerRecord<byte[], byte[]> record = records.get(n);
                int i = n * PARTITIONS + p;
                assertThat(record.offset()).isEqualTo(n);
                assertThat(record.key()).isEqualTo(key(i));
                assertThat(record.value()).isEqualTo(value(i));
                assertThat(record.timestamp()).isEqualTo(baseTimestamp + i);
                assertThat(record.headers().lastHeader("seq").value()).isEqualTo(bytes(Integer.toString(i)));
                assertThat(record.headers().lastHeader("codec").value()).isEqualTo(bytes(codec));
            }
        }
    }

    static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumeAll(String topic, int expected) {
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> read = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(spool.bootstrap(), Map.of())) {
            List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
                    .mapToObj(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            int count = 0;
            long deadline = System.currentTimeMillis() + 120_000;
            while (count < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    read.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
                    count++;
                }
            }
            assertThat(count).as("records read back").isEqualTo(expected);
            assertThat(consumer.poll(Duration.ofMillis(500))).as("nothing beyond what was produced").isEmpty();
            assertThat(read.keySet()).isEqualTo(Set.copyOf(IntStream.range(0, PARTITIONS).boxed().toList()));
        }
        return read;
    }

    static byte[] key(int i) {
        return bytes("key-" + i);
    }

    static byte[] value(int i) {
        return bytes("value-" + i + "-" + "x".repeat(i % 200));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
