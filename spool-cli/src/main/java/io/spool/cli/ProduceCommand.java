package io.spool.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spool produce}: sends one record per line of stdin. It stops reading at the first failed send, flushes what
 * was accepted, and exits 1 if any send failed.
 */
@Command(name = "produce", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Send one record per line of standard input.")
final class ProduceCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    ClientOptions client;

    @Option(names = {"-t", "--topic"}, required = true, paramLabel = "TOPIC", description = "The topic to write to.")
    String topic;

    @Option(names = "--partition", paramLabel = "N",
            description = "Write every record to this partition (default: the producer's partitioner).")
    Integer partition;

    @Option(names = {"-K", "--key-separator"}, paramLabel = "SEP",
            description = "Each line is KEY SEP VALUE, split at the first SEP (escapes: \\t, \\n, \\\\).")
    String keySeparator;

    @Option(names = {"-H", "--header"}, paramLabel = "KEY=VALUE",
            description = "A header attached to every record; without '=' its value is null. Repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = {"-X", "--property", "--producer-property"}, paramLabel = "KEY=VALUE",
            description = "A producer setting, e.g. acks=all or compression.type=zstd. Repeatable.")
    List<String> properties = new ArrayList<>();

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "30000",
            description = "Fail a record not acknowledged within this time (default: ${DEFAULT-VALUE}).")
    int timeoutMs;

    ProduceCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws IOException {
        if (partition != null && partition < 0) {
            throw CliException.usage("--partition must not be negative");
        }
        if (timeoutMs <= 0) {
            throw CliException.usage("--timeout-ms must be positive");
        }
        ProduceLineParser parser = new ProduceLineParser(keySeparator == null ? null : Separators.unescape(keySeparator));
        List<Header> recordHeaders = headers(headers);
        try (Producer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            // On Ctrl-C/SIGTERM, deliver what was already read before the JVM exits.
            Thread hook = new Thread(producer::flush, "spool-produce-shutdown");
            if (terminal.ownsProcess()) {
                Runtime.getRuntime().addShutdownHook(hook);
            }
            try {
                return send(producer, parser, recordHeaders);
            } finally {
                if (terminal.ownsProcess()) {
                    ShutdownHooks.remove(hook);
                }
            }
        }
    }

    private Properties producerProperties() {
        return client.clientProperties(Map.of(
                "client.id", "spool-cli-producer",
                "max.block.ms", String.valueOf(timeoutMs),
                "delivery.timeout.ms", String.valueOf(timeoutMs),
                "request.timeout.ms", String.valueOf(Math.max(1, Math.min(30_000, timeoutMs / 2))),
                "linger.ms", "5"), properties, "--property");
    }

    int send(Producer<byte[], byte[]> producer, ProduceLineParser parser, List<Header> recordHeaders)
            throws IOException {
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        AtomicLong failures = new AtomicLong();
        BufferedReader reader = new BufferedReader(new InputStreamReader(terminal.in(), StandardCharsets.UTF_8));
        long lineNumber = 0;
        String line;
        CliException badLine = null;
        while (firstFailure.get() == null && (line = reader.readLine()) != null) {
            lineNumber++;
            ProduceLineParser.Parsed parsed;
            try {
                parsed = parser.parse(line, lineNumber);
            } catch (CliException e) {
                badLine = e;
                break;
            }
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, null, parsed.key(),
                    parsed.value(), recordHeaders);
            try {
                producer.send(record, (metadata, e) -> {
                    if (e != null) {
                        failures.incrementAndGet();
                        firstFailure.compareAndSet(null, e);
                    }
                });
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                firstFailure.compareAndSet(null, e);
            }
        }
        producer.flush();
        producer.close(Duration.ofMillis(timeoutMs));
        if (firstFailure.get() != null) {
            throw CliException.failed("Failed to send " + failures.get() + " record(s) to " + topic + ": "
                    + client.failure(firstFailure.get(), timeoutMs).getMessage());
        }
        if (badLine != null) {
            throw badLine;
        }
        return SpoolCli.EXIT_OK;
    }

    /** Headers from {@code --header} arguments, in order; a key may repeat. */
    static List<Header> headers(List<String> args) {
        List<Header> result = new ArrayList<>();
        for (String arg : args) {
            KeyValue kv = KeyValue.parse("--header", arg);
            result.add(new RecordHeader(kv.key(), kv.value() == null ? null : kv.value().getBytes(StandardCharsets.UTF_8)));
        }
        return result;
    }
}
