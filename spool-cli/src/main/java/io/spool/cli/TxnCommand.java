package io.spool.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code spool txn}: groups the transaction subcommands; on its own it is a usage error. */
@Command(name = "txn", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List and describe transactions (as kafka-transactions.sh list and describe).",
        subcommands = {TxnListCommand.class, TxnDescribeCommand.class})
final class TxnCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: list or describe");
    }
}
