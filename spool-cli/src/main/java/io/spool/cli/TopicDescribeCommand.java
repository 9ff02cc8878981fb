package io.spool.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spool topic describe [NAME...]}: a topic's id, partitions (leader, replicas, ISR, earliest and latest
 * offsets) and its settings that differ from the defaults (all of them with {@code --all-configs}), each with its
 * source. Offsets and settings that cannot be fetched are shown as {@code ?}, reported on stderr, and make the
 * command exit 1 after printing what it could.
 */
@Command(name = "describe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Describe topics (all non-internal topics when none is named).")
final class TopicDescribeCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    AdminOptions admin;

    @Parameters(arity = "0..*", paramLabel = "NAME", description = "The topics to describe.")
    List<String> names = new ArrayList<>();

    @Option(names = "--all-configs", description = "Show every setting, defaults included, not only overrides.")
    boolean allConfigs;

    private boolean partial;

    TopicDescribeCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        try (Admin client = admin.open()) {
            List<String> topics = names.isEmpty() ? allTopics(client) : names;
            if (topics.isEmpty()) {
                return SpoolCli.EXIT_OK;
            }
            Map<String, TopicDescription> descriptions = describe(client, topics);
            Map<TopicPartition, Long> earliest = offsets(client, descriptions, OffsetSpec.earliest());
            Map<TopicPartition, Long> latest = offsets(client, descriptions, OffsetSpec.latest());
            Map<String, List<ConfigEntry>> configs = configs(client, topics);
            TopicDescriptionFormatter formatter = new TopicDescriptionFormatter(earliest, latest);
            for (String topic : topics) {
                formatter.format(descriptions.get(topic), configs.get(topic)).forEach(terminal.out()::println);
            }
        }
        return partial ? SpoolCli.EXIT_FAILED : SpoolCli.EXIT_OK;
    }

    private List<String> allTopics(Admin client) throws InterruptedException {
        try {
            return new ArrayList<>(new TreeMap<>(client.listTopics(new ListTopicsOptions().timeoutMs(admin.timeoutMs))
                    .namesToListings().get()).keySet());
        } catch (ExecutionException e) {
            throw admin.failure(e);
        }
    }

    private Map<String, TopicDescription> describe(Admin client, List<String> topics) throws InterruptedException {
        Map<String, KafkaFuture<TopicDescription>> futures = client.describeTopics(topics,
                new DescribeTopicsOptions().timeoutMs(admin.timeoutMs)).topicNameValues();
        Map<String, TopicDescription> descriptions = new HashMap<>();
        for (String topic : topics) {
            try {
                descriptions.put(topic, futures.get(topic).get());
            } catch (ExecutionException e) {
                throw ErrorMessages.unwrap(e) instanceof UnknownTopicOrPartitionException
                        ? CliException.failed(ErrorMessages.describeForTopic(topic, e)) : admin.failure(e);
            }
        }
        return descriptions;
    }

    private Map<TopicPartition, Long> offsets(Admin client, Map<String, TopicDescription> descriptions,
            OffsetSpec spec) throws InterruptedException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        descriptions.values().forEach(d -> d.partitions().forEach(
                p -> request.put(new TopicPartition(d.name(), p.partition()), spec)));
        try {
            Map<TopicPartition, ListOffsetsResultInfo> result = client.listOffsets(request,
                    new ListOffsetsOptions().timeoutMs(admin.timeoutMs)).all().get();
            Map<TopicPartition, Long> offsets = new HashMap<>();
            result.forEach((tp, info) -> offsets.put(tp, info.offset()));
            return offsets;
        } catch (ExecutionException e) {
            warn("Cannot list offsets: " + ErrorMessages.describe(e));
            return Map.of();
        }
    }

    private Map<String, List<ConfigEntry>> configs(Admin client, List<String> topics) throws InterruptedException {
        List<ConfigResource> resources = topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        try {
            Map<ConfigResource, Config> result = client.describeConfigs(resources,
                    new DescribeConfigsOptions().timeoutMs(admin.timeoutMs)).all().get();
            Map<String, List<ConfigEntry>> configs = new HashMap<>();
            result.forEach((resource, config) -> configs.put(resource.name(), shown(config, allConfigs)));
            return configs;
        } catch (ExecutionException e) {
            warn("Cannot describe topic configs: " + ErrorMessages.describe(e));
            return Map.of();
        }
    }

    /** The entries to show, by name: those that are not defaults, or all. */
    static List<ConfigEntry> shown(Config config, boolean all) {
        return config.entries().stream()
                .filter(e -> all || e.source() != ConfigEntry.ConfigSource.DEFAULT_CONFIG && !e.isDefault())
                .sorted(java.util.Comparator.comparing(ConfigEntry::name)).toList();
    }

    private void warn(String message) {
        partial = true;
        terminal.err().println(message);
    }
}
