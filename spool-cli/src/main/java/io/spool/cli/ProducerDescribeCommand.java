package io.spool.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeProducersOptions;
import org.apache.kafka.clients.admin.DescribeProducersResult;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spool producer describe --topic T [--partition P]}: per partition (the given ones, or all of the topic),
 * the producers its leader holds state for (DescribeProducers, as kafka-transactions.sh describe-producers), with
 * the start offset of each one's open transaction. A partition that cannot be described is reported on stderr and
 * makes the command exit 1 after printing the others.
 *
 * <pre>
 * PARTITION  PRODUCER-ID  EPOCH  COORDINATOR-EPOCH  LAST-SEQUENCE  LAST-TIMESTAMP  TXN-START-OFFSET
 * 0          4000         2      5                  41             1764000000000   1200
 * </pre>
 */
@Command(name = "describe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Describe the active producers of a topic's partitions.")
final class ProducerDescribeCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    AdminOptions admin;

    @Mixin
    TopicName topic;

    @Option(names = "--partition", paramLabel = "P", split = ",",
            description = "A partition to describe. Repeatable; default: every partition of the topic.")
    List<Integer> partitions = new ArrayList<>();

    ProducerDescribeCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        String name = topic.get();
        int failures = 0;
        Table table = new Table("PARTITION", "PRODUCER-ID", "EPOCH", "COORDINATOR-EPOCH", "LAST-SEQUENCE",
                "LAST-TIMESTAMP", "TXN-START-OFFSET");
        try (Admin client = admin.open()) {
            List<TopicPartition> targets = new ArrayList<>();
            for (int p : new TreeSet<>(partitions.isEmpty() ? TopicName.partitions(client, name, admin.timeoutMs) : partitions)) {
                targets.add(new TopicPartition(name, p));
            }
            DescribeProducersResult result = client.describeProducers(targets,
                    new DescribeProducersOptions().timeoutMs(admin.timeoutMs));
            for (TopicPartition tp : targets) {
                try {
                    for (ProducerState p : result.partitionResult(tp).get().activeProducers()) {
                        table.row(tp.partition(), p.producerId(), p.producerEpoch(),
                                p.coordinatorEpoch().isPresent() ? p.coordinatorEpoch().getAsInt() : null,
                                p.lastSequence(), p.lastTimestamp(), p.currentTransactionStartOffset().isPresent()
                                        ? p.currentTransactionStartOffset().getAsLong() : null);
                    }
                } catch (ExecutionException e) {
                    failures++;
                    terminal.err().println("Cannot describe the producers of partition " + tp.partition()
                            + " of topic " + name + ": " + ErrorMessages.describeWithCode(name, e));
                }
            }
        }
        table.lines().forEach(terminal.out()::println);
        return failures == 0 ? SpoolCli.EXIT_OK : SpoolCli.EXIT_FAILED;
    }
}
