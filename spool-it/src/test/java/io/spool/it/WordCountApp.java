package io.spool.it;

import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * A Kafka Streams word count, run by {@link StreamsExactlyOnceIT} in its own JVM so that it can be SIGKILLed. It
 * splits the lines of {@value #INPUT} into words and keeps two counts per word, each in a state store with a
 * changelog: the total, sent to {@value #COUNTS}, and the count per {@value #WINDOW_SECONDS}-second tumbling window,
 * sent to {@value #WINDOWED} keyed {@code <word>@<window start>}. With the record cache off, every input word yields
 * one update of each count.
 *
 * <p>Arguments: bootstrap servers, state directory, {@code processing.guarantee}. It runs until SIGTERM (a clean
 * close) or SIGKILL, and exits with 1 if Streams reaches the ERROR state.
 */
public final class WordCountApp {
    static final String APPLICATION_ID = "word-count-it";
    static final String INPUT = "lines-in";
    static final String COUNTS = "word-counts";
    static final String WINDOWED = "windowed-word-counts";
    static final int WINDOW_SECONDS = 10;

    private WordCountApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        KafkaStreams streams = new KafkaStreams(topology(), settings(args[0], args[1], args[2]));
        CountDownLatch finished = new CountDownLatch(1);
        // A stream thread that dies, e.g. fenced or timed out while Spool restarts, is replaced, as a service would.
        streams.setUncaughtExceptionHandler(e -> {
            System.err.println("Stream thread failed, replacing it: " + e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((to, from) -> {
            System.err.println("Streams " + from + " -> " + to);
            if (to == KafkaStreams.State.ERROR) {
                finished.countDown();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close(Duration.ofSeconds(20));
            finished.countDown();
        }, "word-count-shutdown"));
        streams.start();
        finished.await();
        if (streams.state() == KafkaStreams.State.ERROR) {
            streams.close(Duration.ofSeconds(20));
            System.exit(1);
        }
    }

    static Topology topology() {
        StreamsBuilder builder = new StreamsBuilder();
        KGroupedStream<String, String> words = builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(line -> Arrays.asList(line.split(" ")))
                .groupBy((key, word) -> word, Grouped.with("words", Serdes.String(), Serdes.String()));
        words.count(Materialized.as("word-count-store")).toStream()
                .to(COUNTS, Produced.with(Serdes.String(), Serdes.Long()));
        // Words reach the repartition topic from both input partitions interleaved, so their timestamps go back and
        // forth by a window or two; the grace period keeps such a word in its window instead of dropping it.
        words.windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofSeconds(WINDOW_SECONDS), Duration.ofHours(1)))
                .count(Materialized.as("windowed-word-count-store"))
                .toStream((window, count) -> window.key() + "@" + window.window().start())
                .to(WINDOWED, Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    private static Properties settings(String bootstrap, String stateDir, String guarantee) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        // A killed instance's transaction is aborted, and its partitions given to the next instance, within seconds.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 10_000);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6_000);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1_000);
        return props;
    }
}
