package io.spool.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spool topic create NAME}: creates one topic through CreateTopics. */
@Command(name = "create", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Create a topic.")
final class TopicCreateCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    AdminOptions admin;

    @Parameters(index = "0", paramLabel = "NAME", description = "The topic's name.")
    String name;

    @Option(names = {"-p", "--partitions"}, paramLabel = "N",
            description = "Number of partitions (default: the broker's num.partitions).")
    Integer partitions;

    @Option(names = {"-r", "--replication-factor"}, paramLabel = "N",
            description = "Replicas per partition (default: the broker's default.replication.factor).")
    Short replicationFactor;

    @Option(names = "--config", paramLabel = "KEY=VALUE", description = "A topic setting. Repeatable.")
    List<String> configs = new ArrayList<>();

    @Option(names = "--if-not-exists", description = "Succeed without change if the topic exists.")
    boolean ifNotExists;

    TopicCreateCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (partitions != null && partitions <= 0) {
            throw CliException.usage("--partitions must be positive");
        }
        if (replicationFactor != null && replicationFactor <= 0) {
            throw CliException.usage("--replication-factor must be positive");
        }
        NewTopic topic = new NewTopic(name, Optional.ofNullable(partitions), Optional.ofNullable(replicationFactor))
                .configs(topicConfigs());
        try (Admin client = admin.open()) {
            client.createTopics(List.of(topic), new CreateTopicsOptions().timeoutMs(admin.timeoutMs)).all().get();
            terminal.out().println("Created topic " + name + ".");
        } catch (ExecutionException e) {
            if (ifNotExists && e.getCause() instanceof TopicExistsException) {
                return SpoolCli.EXIT_OK;
            }
            throw admin.failure(e);
        }
        return SpoolCli.EXIT_OK;
    }

    private Map<String, String> topicConfigs() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String config : configs) {
            KeyValue kv = KeyValue.parseRequired("--config", config);
            map.put(kv.key(), kv.value());
        }
        return map;
    }
}
