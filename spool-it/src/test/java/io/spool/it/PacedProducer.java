package io.spool.it;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes keyed records {@code key-i}/{@code value-i} to one topic from its own thread at a steady pace until
 * stopped, with an idempotent {@code acks=all} producer, and remembers where each acknowledged record landed.
 * Start and stop from one thread; the acknowledgements may be read from any.
 */
final class PacedProducer implements AutoCloseable {
    /** An acknowledged record. */
    record Acked(int partition, long offset, String value) {
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int perTick;
    private final Map<String, Acked> acked = new ConcurrentHashMap<>();
    private final List<Exception> failures = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** Starts writing {@code perTick} records every 10 ms. */
    PacedProducer(String bootstrap, String topic, int perTick) {
        this.producer = Clients.producer(bootstrap, Map.of(ProducerConfig.LINGER_MS_CONFIG, "5"));
        this.topic = topic;
        this.perTick = perTick;
        this.thread = new Thread(this::produce, "paced-producer-" + topic);
        thread.start();
    }

    private void produce() {
        long i = 0;
        try {
            while (running) {
                for (int n = 0; n < perTick; n++, i++) {
                    String value = "value-" + i;
                    producer.send(new ProducerRecord<>(topic, bytes("key-" + i), bytes(value)), (m, e) -> {
                        if (e != null) {
                            failures.add(e);
                        } else {
                            acked.put(value, new Acked(m.partition(), m.offset(), value));
                        }
                    });
                }
                // Pacing, not waiting for a condition: the test kills a member while this is still writing.
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops writing and waits for every record sent to be acknowledged or failed. */
    void stop() {
        running = false;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping the producer", e);
        }
        producer.flush();
    }

    int ackedCount() {
        return acked.size();
    }

    List<Acked> acked() {
        return new ArrayList<>(acked.values());
    }

    List<Exception> failures() {
        return failures;
    }

    @Override
    public void close() {
        if (thread.isAlive()) {
            stop();
        }
        producer.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
