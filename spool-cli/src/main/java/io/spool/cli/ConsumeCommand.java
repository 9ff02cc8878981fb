package io.spool.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spool consume}: prints a topic's records, one line each. Without {@code --group} it assigns the partitions
 * itself (no group, nothing committed); with one it joins the group and commits as it goes. Without
 * {@code --follow} it stops at the end offsets it observed when it started.
 */
@Command(name = "consume", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Print records, one per line: the requested fields, then the value.",
            "Without --follow it prints the records up to the end of each partition as it was at the start "
                + "(from the beginning unless a start option or --group says otherwise) and exits; with --follow "
                + "it starts at the end and waits for new records until interrupted."})
final class ConsumeCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    ClientOptions client;

    @Option(names = {"-t", "--topic"}, required = true, paramLabel = "TOPIC", description = "The topic to read.")
    String topic;

    @ArgGroup(exclusive = true)
    Start start;

    /** The mutually exclusive ways to choose where reading starts. */
    static final class Start {
        @Option(names = "--from-beginning", description = "Start at the earliest retained record.")
        boolean fromBeginning;

        @Option(names = "--offset", paramLabel = "N|earliest|latest",
                description = "Start at this offset in every partition read.")
        String offset;

        @Option(names = "--timestamp", paramLabel = "MS|ISO8601",
                description = "Start at the first record at or after this time (epoch ms or ISO-8601, UTC if no "
                        + "offset is given).")
        String timestamp;
    }

    @Option(names = "--partition", paramLabel = "N", description = "Read only this partition.")
    Integer partition;

    @Option(names = "--group", paramLabel = "GROUP",
            description = "Consume as a member of this group, committing offsets; it resumes from the group's "
                    + "committed offsets, and where there are none starts at the beginning (without --follow or "
                    + "with --from-beginning) or the end.")
    String group;

    @Option(names = "--max-messages", paramLabel = "N", description = "Exit after printing N records.")
    Long maxMessages;

    @Option(names = {"-f", "--follow"}, description = "Keep waiting for new records until interrupted.")
    boolean follow;

    @Option(names = "--timeout-ms", paramLabel = "MS",
            description = "Stop when no record arrived for this long: exit 0 when following, else exit 1.")
    Long timeoutMs;

    @Option(names = "--print-key", description = "Print the key.")
    boolean printKey;

    @Option(names = "--print-headers", description = "Print headers as k=v,k=v.")
    boolean printHeaders;

    @Option(names = "--print-timestamp", description = "Print the timestamp as CreateTime:MS or LogAppendTime:MS.")
    boolean printTimestamp;

    @Option(names = "--print-partition", description = "Print Partition:N.")
    boolean printPartition;

    @Option(names = "--print-offset", description = "Print Offset:N.")
    boolean printOffset;

    @Option(names = {"-K", "--key-separator"}, paramLabel = "SEP", defaultValue = "\\t",
            description = "Separates the printed fields (default: tab; escapes: \\t, \\n, \\\\).")
    String separator;

    @Option(names = {"-X", "--property", "--consumer-property"}, paramLabel = "KEY=VALUE",
            description = "A consumer setting, e.g. isolation.level=read_committed. Repeatable.")
    List<String> properties = new ArrayList<>();

    ConsumeCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        validate();
        StartPosition position = startPosition();
        RecordFormatter formatter = new RecordFormatter(new RecordFormatter.Fields(printPartition, printOffset,
                printTimestamp, printKey, printHeaders), Separators.unescape(separator));
        Properties props = consumerProperties();
        Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        Runnable finished = terminal.ownsProcess() ? stopOnSignal(consumer) : () -> { };
        try (consumer) {
            consume(consumer, position, formatter);
        } catch (WakeupException e) {
            // Stopped by a signal before the loop started.
            return SpoolCli.EXIT_OK;
        } catch (KafkaException e) {
            throw client.failure(e, apiTimeoutMs(props));
        } finally {
            terminal.out().flush();
            terminal.err().flush();
            finished.run();
        }
        return SpoolCli.EXIT_OK;
    }

    private void consume(Consumer<byte[], byte[]> consumer, StartPosition position, RecordFormatter formatter) {
        List<TopicPartition> partitions = partitions(consumer);
        Map<TopicPartition, Long> ends = follow ? null : consumer.endOffsets(partitions);
        ConsumeLoop loop = new ConsumeLoop(consumer, formatter, terminal.out(), ends,
                maxMessages == null ? Long.MAX_VALUE : maxMessages,
                timeoutMs == null ? Long.MAX_VALUE : timeoutMs, System::currentTimeMillis, group != null);
        if (group != null && partition == null) {
            consumer.subscribe(List.of(topic), new GroupRebalanceListener(consumer, position, loop));
        } else {
            consumer.assign(partitions);
            position.apply(consumer, partitions);
        }
        ConsumeLoop.Outcome outcome = loop.run();
        terminal.err().println("Consumed " + loop.printed() + " record(s)");
        if (outcome == ConsumeLoop.Outcome.IDLE_TIMEOUT && !follow) {
            throw CliException.failed("No record arrived within " + timeoutMs + " ms before reaching the end of "
                    + topic);
        }
    }

    private void validate() {
        if (partition != null && partition < 0) {
            throw CliException.usage("--partition must not be negative");
        }
        if (maxMessages != null && maxMessages <= 0) {
            throw CliException.usage("--max-messages must be positive");
        }
        if (timeoutMs != null && timeoutMs <= 0) {
            throw CliException.usage("--timeout-ms must be positive");
        }
    }

    StartPosition startPosition() {
        if (start == null) {
            // Reading up to the end is only useful from the beginning; following, like tail -f, shows new records.
            if (group != null) {
                return new StartPosition.Committed();
            }
            return follow ? new StartPosition.End() : new StartPosition.Beginning();
        }
        if (start.fromBeginning) {
            // A group resumes from its committed offsets; --from-beginning applies where it has none.
            return group != null ? new StartPosition.Committed() : new StartPosition.Beginning();
        }
        if (start.offset != null) {
            return StartPosition.ofOffset(start.offset);
        }
        return new StartPosition.AtTimestamp(TimestampParser.parse(start.timestamp));
    }

    private Properties consumerProperties() {
        Map<String, String> defaults = new HashMap<>();
        defaults.put("client.id", "spool-cli-consumer");
        defaults.put("allow.auto.create.topics", "false");
        defaults.put("default.api.timeout.ms", "30000");
        boolean fromBeginning = start != null && start.fromBeginning;
        defaults.put("auto.offset.reset", group == null || fromBeginning || !follow ? "earliest" : "latest");
        // ConsumeLoop commits what it printed; the consumer's own commits would include records fetched but not
        // printed (past --max-messages or the end offsets).
        defaults.put("enable.auto.commit", "false");
        if (group != null) {
            defaults.put("group.id", group);
        }
        return client.clientProperties(defaults, properties, "--property");
    }

    private static long apiTimeoutMs(Properties props) {
        try {
            return Long.parseLong(props.getProperty("default.api.timeout.ms", "60000").strip());
        } catch (NumberFormatException e) {
            return 60_000;
        }
    }

    private List<TopicPartition> partitions(Consumer<byte[], byte[]> consumer) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        if (infos == null || infos.isEmpty()) {
            throw CliException.failed("Topic '" + topic + "' does not exist");
        }
        List<TopicPartition> all = infos.stream().map(p -> new TopicPartition(topic, p.partition()))
                .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
        if (partition == null) {
            return all;
        }
        TopicPartition tp = new TopicPartition(topic, partition);
        if (!all.contains(tp)) {
            throw CliException.failed("Topic '" + topic + "' has no partition " + partition + " (it has "
                    + all.size() + ")");
        }
        return List.of(tp);
    }

    /**
     * On SIGTERM/Ctrl-C, wakes the consumer and holds the JVM's shutdown until the command has printed its last
     * records, committed and closed the consumer (so a group member leaves cleanly). Returns what to call then.
     */
    private static Runnable stopOnSignal(Consumer<byte[], byte[]> consumer) {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            consumer.wakeup();
            try {
                finished.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "spool-consume-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return () -> {
            finished.countDown();
            ShutdownHooks.remove(hook);
        };
    }

    /**
     * Applies the start position to partitions the group assigns to this member for the first time, and commits what
     * was printed from partitions it takes away.
     */
    private static final class GroupRebalanceListener implements ConsumerRebalanceListener {
        private final Consumer<byte[], byte[]> consumer;
        private final StartPosition position;
        private final ConsumeLoop loop;
        private final Set<TopicPartition> started = new HashSet<>();

        GroupRebalanceListener(Consumer<byte[], byte[]> consumer, StartPosition position, ConsumeLoop loop) {
            this.consumer = consumer;
            this.position = position;
            this.loop = loop;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            List<TopicPartition> fresh = partitions.stream().filter(started::add).toList();
            if (!fresh.isEmpty()) {
                position.apply(consumer, fresh);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            loop.commitSync(partitions);
        }
    }
}
