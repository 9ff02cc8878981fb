package io.spool.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code --topic} argument of {@code spool group reset-offsets}: {@code TOPIC} for all its partitions, or
 * {@code TOPIC:P,P,...} for some. Topic names cannot contain ':', so the last one separates the partitions.
 *
 * @param topic      never empty
 * @param partitions the named partitions, in the order given; empty for all of them
 */
record TopicPartitionsSpec(String topic, List<Integer> partitions) {

    /** @throws CliException (usage) when the topic is empty or a partition is not a non-negative number */
    static TopicPartitionsSpec parse(String text) {
        int colon = text.lastIndexOf(':');
        String topic = colon < 0 ? text : text.substring(0, colon);
        if (topic.isEmpty()) {
            throw invalid(text);
        }
        List<Integer> partitions = new ArrayList<>();
        if (colon >= 0) {
            for (String p : text.substring(colon + 1).split(",", -1)) {
                try {
                    int partition = Integer.parseInt(p.strip());
                    if (partition < 0) {
                        throw invalid(text);
                    }
                    partitions.add(partition);
                } catch (NumberFormatException e) {
                    throw invalid(text);
                }
            }
        }
        return new TopicPartitionsSpec(topic, List.copyOf(partitions));
    }

    private static CliException invalid(String text) {
        return CliException.usage("Invalid --topic '" + text + "': expected TOPIC or TOPIC:PARTITION,PARTITION,...");
    }
}
