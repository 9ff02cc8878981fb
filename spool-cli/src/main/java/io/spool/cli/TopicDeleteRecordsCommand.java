package io.spool.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DeleteRecordsOptions;
import org.apache.kafka.clients.admin.DeletedRecords;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spool topic delete-records NAME --offset O [--partition P]...}: deletes the records before offset O of the
 * given partitions, or of every partition of the topic (DeleteRecords: the log start offset moves to O). O = -1
 * means each partition's high watermark, as in Kafka, i.e. every record there is now.
 */
@Command(name = "delete-records", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Delete the records of a topic before an offset.")
final class TopicDeleteRecordsCommand implements Callable<Integer> {
    /** The offset DeleteRecords reads as "the high watermark" (Kafka's DeleteRecordsRequest.HIGH_WATERMARK). */
    static final long HIGH_WATERMARK = -1L;

    private final Terminal terminal;

    @Mixin
    AdminOptions admin;

    @Mixin
    TopicName topic;

    @Option(names = "--partition", paramLabel = "P", split = ",",
            description = "A partition to delete records from. Repeatable; default: every partition of the topic.")
    List<Integer> partitions = new ArrayList<>();

    @Option(names = "--offset", paramLabel = "O", required = true,
            description = "Delete the records before this offset; -1 for the high watermark (all records).")
    long offset;

    TopicDeleteRecordsCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        String name = topic.get();
        validate();
        int failures = 0;
        try (Admin client = admin.open()) {
            List<Integer> targets = partitions.isEmpty() ? TopicName.partitions(client, name, admin.timeoutMs) : partitions;
            Map<TopicPartition, KafkaFuture<DeletedRecords>> results = client.deleteRecords(
                    recordsToDelete(name, targets), new DeleteRecordsOptions().timeoutMs(admin.timeoutMs))
                    .lowWatermarks();
            for (Map.Entry<TopicPartition, KafkaFuture<DeletedRecords>> entry : results.entrySet()) {
                TopicPartition tp = entry.getKey();
                try {
                    long low = entry.getValue().get().lowWatermark();
                    terminal.out().println("Partition " + tp.partition() + " of topic " + name
                            + " now starts at offset " + low + ".");
                } catch (ExecutionException e) {
                    failures++;
                    terminal.err().println("Cannot delete records of partition " + tp.partition() + " of topic "
                            + name + ": " + ErrorMessages.describeWithCode(name, e));
                }
            }
        }
        return failures == 0 ? SpoolCli.EXIT_OK : SpoolCli.EXIT_FAILED;
    }

    /** @throws CliException (usage) for an offset below -1 or a negative partition */
    void validate() {
        if (offset < HIGH_WATERMARK) {
            throw CliException.usage("--offset must be an offset (0 or more) or -1 for the high watermark, not "
                    + offset);
        }
        for (int partition : partitions) {
            if (partition < 0) {
                throw CliException.usage("--partition must not be negative, not " + partition);
            }
        }
    }

    /** The request: the same offset for each partition, in partition order, each partition once. */
    Map<TopicPartition, RecordsToDelete> recordsToDelete(String name, List<Integer> targets) {
        Map<TopicPartition, RecordsToDelete> request = new LinkedHashMap<>();
        for (int partition : new TreeSet<>(targets)) {
            request.put(new TopicPartition(name, partition), RecordsToDelete.beforeOffset(offset));
        }
        return request;
    }
}
