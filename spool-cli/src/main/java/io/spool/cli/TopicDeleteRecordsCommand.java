package io.spool.cli;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DeleteRecordsOptions;
import org.apache.kafka.clients.admin.DeletedRecords;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spool topic delete-records NAME --before OFFSET [--partition P]...}: DeleteRecords, moving the earliest
 * offset of each named partition (every partition by default) to {@code OFFSET}; -1 deletes everything below the
 * high watermark. Prints each partition's new low watermark; a partition that fails is reported on its own line.
 */
@Command(name = "delete-records", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Delete the records of a topic below an offset (moves the earliest offset).")
final class TopicDeleteRecordsCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    AdminOptions admin;

    @Parameters(index = "0", paramLabel = "NAME", description = "The topic.")
    String topic;

    @Option(names = "--before", required = true, paramLabel = "OFFSET",
            description = "Delete the records below this offset; -1 for everything below the high watermark.")
    long before;

    @Option(names = "--partition", paramLabel = "P", description = "A partition to trim (repeatable; default: all).")
    List<Integer> partitions;

    TopicDeleteRecordsCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (before < -1) {
            throw CliException.usage("--before must be an offset or -1");
        }
        int failures = 0;
        try (Admin client = admin.open()) {
            Map<TopicPartition, RecordsToDelete> request = new TreeMap<>(
                    java.util.Comparator.comparingInt(TopicPartition::partition));
            for (int p : partitionsOf(client)) {
                request.put(new TopicPartition(topic, p), RecordsToDelete.beforeOffset(before));
            }
            Map<TopicPartition, KafkaFuture<DeletedRecords>> results = client.deleteRecords(request,
                    new DeleteRecordsOptions().timeoutMs(admin.timeoutMs)).lowWatermarks();
            for (TopicPartition tp : request.keySet()) {
                try {
                    long low = results.get(tp).get().lowWatermark();
                    terminal.out().println("Partition " + tp.partition() + ": earliest offset now " + low + ".");
                } catch (ExecutionException e) {
                    failures++;
                    terminal.err().println("Cannot delete records of " + tp + ": "
                            + ErrorMessages.describeForTopic(topic, e));
                }
            }
        }
        return failures == 0 ? SpoolCli.EXIT_OK : SpoolCli.EXIT_FAILED;
    }

    private List<Integer> partitionsOf(Admin client) throws InterruptedException {
        if (partitions != null && !partitions.isEmpty()) {
            return partitions;
        }
        try {
            TopicDescription description = client.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            return description.partitions().stream().map(p -> p.partition()).toList();
        } catch (ExecutionException e) {
            if (ErrorMessages.unwrap(e) instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                throw CliException.failed(ErrorMessages.describeForTopic(topic, e));
            }
            throw admin.failure(e);
        }
    }
}
