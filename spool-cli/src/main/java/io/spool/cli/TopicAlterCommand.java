package io.spool.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spool topic alter NAME [--partitions N] [--config K=V]... [--delete-config K]...}: adds partitions
 * (CreatePartitions) and sets or removes topic config overrides (IncrementalAlterConfigs, in one request). Each
 * part that fails is reported with the broker's error code and message; the command then exits 1.
 */
@Command(name = "alter", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Add partitions to a topic and change its settings.")
final class TopicAlterCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    AdminOptions admin;

    @Mixin
    TopicName topic;

    @Option(names = {"-p", "--partitions"}, paramLabel = "N",
            description = "The topic's new total number of partitions (only an increase is possible).")
    Integer partitions;

    @Option(names = "--config", paramLabel = "KEY=VALUE", description = "Set a topic setting. Repeatable.")
    List<String> configs = new ArrayList<>();

    @Option(names = "--delete-config", paramLabel = "KEY",
            description = "Remove a topic setting (back to the broker default). Repeatable.")
    List<String> deleteConfigs = new ArrayList<>();

    @Option(names = "--dry-run", description = "Only let the broker validate the changes (validateOnly).")
    boolean dryRun;

    TopicAlterCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        String name = topic.get();
        List<AlterConfigOp> ops = configOps();
        if (partitions == null && ops.isEmpty()) {
            throw CliException.usage("Nothing to alter: give --partitions, --config or --delete-config");
        }
        if (partitions != null && partitions <= 0) {
            throw CliException.usage("--partitions must be positive");
        }
        boolean failed = false;
        try (Admin client = admin.open()) {
            if (partitions != null) {
                failed |= !addPartitions(client, name);
            }
            if (!ops.isEmpty()) {
                failed |= !alterConfigs(client, name, ops);
            }
        }
        return failed ? SpoolCli.EXIT_FAILED : SpoolCli.EXIT_OK;
    }

    /** The config operations in the order given: every SET, then every DELETE. */
    List<AlterConfigOp> configOps() {
        List<AlterConfigOp> ops = new ArrayList<>();
        for (String config : configs) {
            KeyValue kv = KeyValue.parseRequired("--config", config);
            ops.add(new AlterConfigOp(new ConfigEntry(kv.key(), kv.value()), AlterConfigOp.OpType.SET));
        }
        for (String key : deleteConfigs) {
            if (key.isEmpty() || key.contains("=")) {
                throw CliException.usage("--delete-config needs a setting's name, not '" + key + "'");
            }
            ops.add(new AlterConfigOp(new ConfigEntry(key, null), AlterConfigOp.OpType.DELETE));
        }
        return ops;
    }

    private boolean addPartitions(Admin client, String name) throws InterruptedException {
        try {
            client.createPartitions(Map.of(name, NewPartitions.increaseTo(partitions)),
                    new CreatePartitionsOptions().validateOnly(dryRun).timeoutMs(admin.timeoutMs)).all().get();
            terminal.out().println((dryRun ? "Would increase" : "Increased") + " the partitions of topic " + name
                    + " to " + partitions + ".");
            return true;
        } catch (ExecutionException e) {
            terminal.err().println("Cannot add partitions to topic " + name + ": " + reason(name, e));
            return false;
        }
    }

    private boolean alterConfigs(Admin client, String name, List<AlterConfigOp> ops) throws InterruptedException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
        try {
            client.incrementalAlterConfigs(Map.of(resource, ops),
                    new AlterConfigsOptions().validateOnly(dryRun).timeoutMs(admin.timeoutMs)).all().get();
            terminal.out().println((dryRun ? "Would alter" : "Altered") + " the configs of topic " + name + ": "
                    + describe(ops) + ".");
            return true;
        } catch (ExecutionException e) {
            terminal.err().println("Cannot alter the configs of topic " + name + ": " + reason(name, e));
            return false;
        }
    }

    private static String describe(List<AlterConfigOp> ops) {
        List<String> parts = new ArrayList<>();
        for (AlterConfigOp op : ops) {
            parts.add(op.opType() == AlterConfigOp.OpType.SET
                    ? "set " + op.configEntry().name() + "=" + op.configEntry().value()
                    : "deleted " + op.configEntry().name());
        }
        return String.join(", ", parts);
    }

    private String reason(String name, ExecutionException e) {
        if (ErrorMessages.unwrap(e) instanceof org.apache.kafka.common.errors.TimeoutException) {
            return admin.failure(e).getMessage();
        }
        return ErrorMessages.describeWithCode(name, e);
    }
}
