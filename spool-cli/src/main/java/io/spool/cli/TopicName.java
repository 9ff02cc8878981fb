package io.spool.cli;

import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The one topic a command acts on, given as its first argument ({@code spool topic alter orders ...}, as for
 * {@code create}) or with {@code --topic} (as {@code kafka-topics.sh} users type it).
 */
final class TopicName {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The topic (or use --topic).")
    String positional;

    @Option(names = {"-t", "--topic"}, paramLabel = "NAME", description = "The topic.")
    String option;

    /** @throws CliException (usage) when the topic is given neither way, or both ways differently */
    String get() {
        if (positional != null && option != null && !positional.equals(option)) {
            throw CliException.usage("Give the topic once: '" + positional + "' or --topic " + option);
        }
        String name = option != null ? option : positional;
        if (name == null || name.isEmpty()) {
            throw CliException.usage("Missing topic: give NAME or --topic NAME");
        }
        return name;
    }

    /**
     * The partition indexes of topic {@code name}.
     *
     * @throws CliException (failed) when the topic cannot be described, e.g. it does not exist
     */
    static List<Integer> partitions(Admin client, String name, int timeoutMs) throws InterruptedException {
        try {
            TopicDescription description = client.describeTopics(List.of(name),
                    new DescribeTopicsOptions().timeoutMs(timeoutMs)).topicNameValues().get(name).get();
            return description.partitions().stream().map(TopicPartitionInfo::partition).toList();
        } catch (ExecutionException e) {
            throw CliException.failed(ErrorMessages.describeForTopic(name, e));
        }
    }
}
