package io.spool.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spool txn list}: the transactional ids every coordinator knows, sorted, with their producer id and state,
 * optionally only those in the given states or open longer than a duration; the brokers apply the filters.
 *
 * <pre>
 * TRANSACTIONAL-ID  PRODUCER-ID  STATE
 * payments-0        4000         Ongoing
 * </pre>
 */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List transactional ids with their producer id and transaction state.")
final class TxnListCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    AdminOptions admin;

    @Option(names = "--state", paramLabel = "STATE",
            description = "Only transactions in this state (Empty, Ongoing, PrepareCommit, PrepareAbort, "
                    + "CompleteCommit, CompleteAbort, PrepareEpochFence; case-insensitive). Repeatable.")
    List<String> states = new ArrayList<>();

    @Option(names = "--duration-filter", paramLabel = "MS",
            description = "Only transactions open for longer than this many milliseconds.")
    Long durationMs;

    TxnListCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        ListTransactionsOptions options = new ListTransactionsOptions().timeoutMs(admin.timeoutMs)
                .filterStates(states.stream().map(TxnListCommand::parseState).toList());
        if (durationMs != null) {
            options.filterOnDuration(durationMs);
        }
        try (Admin client = admin.open()) {
            List<TransactionListing> listings = new ArrayList<>(client.listTransactions(options).all().get());
            listings.sort(Comparator.comparing(TransactionListing::transactionalId));
            Table table = new Table("TRANSACTIONAL-ID", "PRODUCER-ID", "STATE");
            listings.forEach(t -> table.row(t.transactionalId(), t.producerId(), t.state()));
            table.lines().forEach(terminal.out()::println);
        } catch (ExecutionException e) {
            throw admin.failure(e);
        }
        return SpoolCli.EXIT_OK;
    }

    /** @throws CliException (usage) naming the valid states */
    static TransactionState parseState(String name) {
        for (TransactionState state : TransactionState.values()) {
            if (state != TransactionState.UNKNOWN && state.toString().equalsIgnoreCase(name.strip())) {
                return state;
            }
        }
        throw CliException.usage("Invalid --state '" + name + "': expected one of Empty, Ongoing, PrepareCommit, "
                + "PrepareAbort, CompleteCommit, CompleteAbort, PrepareEpochFence");
    }
}
