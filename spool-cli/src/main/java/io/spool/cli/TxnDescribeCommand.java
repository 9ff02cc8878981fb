package io.spool.cli;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code spool txn describe ID...}: each transactional id's coordinator, producer id and epoch, state, timeout,
 * how long its current transaction has been open and the partitions in it. An unknown id fails the command (exit 1)
 * with the coordinator's TRANSACTIONAL_ID_NOT_FOUND.
 *
 * <pre>
 * TRANSACTIONAL-ID  COORDINATOR  PRODUCER-ID  EPOCH  STATE    TIMEOUT-MS  START-TIME-MS  DURATION-MS  PARTITIONS
 * payments-0        1            4000         3      Ongoing  60000       1764000000000  1200         payments-1,payments-2
 * </pre>
 */
@Command(name = "describe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Describe transactional ids: coordinator, producer id and epoch, state, timeout and the "
                + "partitions of the open transaction.")
final class TxnDescribeCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    AdminOptions admin;

    @Parameters(arity = "1..*", paramLabel = "TRANSACTIONAL-ID", description = "The transactional ids to describe.")
    List<String> ids;

    TxnDescribeCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        Table table = new Table("TRANSACTIONAL-ID", "COORDINATOR", "PRODUCER-ID", "EPOCH", "STATE", "TIMEOUT-MS",
                "START-TIME-MS", "DURATION-MS", "PARTITIONS");
        try (Admin client = admin.open()) {
            var result = client.describeTransactions(ids, new DescribeTransactionsOptions().timeoutMs(admin.timeoutMs));
            long now = System.currentTimeMillis();
            for (String id : ids) {
                TransactionDescription d = result.description(id).get();
                long start = d.transactionStartTimeMs().orElse(-1L);
                table.row(id, d.coordinatorId(), d.producerId(), d.producerEpoch(), d.state(),
                        d.transactionTimeoutMs(), start < 0 ? null : start, start < 0 ? null : now - start,
                        d.topicPartitions().stream().map(TopicPartition::toString).sorted()
                                .collect(Collectors.joining(",")));
            }
        } catch (ExecutionException e) {
            throw admin.failure(e);
        }
        table.lines().forEach(terminal.out()::println);
        return SpoolCli.EXIT_OK;
    }
}
