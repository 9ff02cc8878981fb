package io.spool.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code spool cluster}: groups the cluster subcommands; on its own it is a usage error. */
@Command(name = "cluster", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Run a local multi-node cluster and describe a cluster's brokers.",
        subcommands = {ClusterLocalCommand.class, ClusterDescribeCommand.class, ClusterRebalanceCommand.class,
            ClusterRebalanceCommand.AddBroker.class, ClusterRebalanceCommand.Decommission.class})
final class ClusterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: local, describe, rebalance, add-broker or decommission");
    }
}
