package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The checks a cluster run must pass, on what a {@link ContinuousProducer} had acknowledged, what a consumer reads
 * back and what the replicas hold on disk:
 * <ul>
 *   <li>every acknowledged record is in the log exactly once, at the offset it was acknowledged with, with its value;
 *   <li>each partition's offsets are dense from 0 and the producer's sequence numbers strictly increase along them
 *       (nothing duplicated, nothing reordered, including records whose send failed and may still be there);
 *   <li>a group delivered every acknowledged record and never one below its own successful commit;
 *   <li>all replicas of a partition hold byte-identical logs once the cluster is quiet.
 * </ul>
 * Stateless.
 */
final class ClusterChecker {
    /** How many violations a failure lists. */
    private static final int SHOWN = 20;

    private ClusterChecker() {
    }

    /**
     * Reads every partition of {@code topic} from its beginning to the end offsets (high watermarks) it had when the
     * read started, with assign and seek: no group involved.
     */
    static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> readAll(String bootstrap, String topic, int partitions,
            Duration limit) {
        List<TopicPartition> all = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p))
                .toList();
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> read = new TreeMap<>();
        all.forEach(p -> read.put(p.partition(), new ArrayList<>()));
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, Map.of())) {
            consumer.assign(all);
            consumer.seekToBeginning(all);
            Map<TopicPartition, Long> end = consumer.endOffsets(all, Duration.ofSeconds(30));
            try {
                await("reading " + topic + " up to " + end).atMost(limit).pollInterval(Duration.ZERO).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> read.get(r.partition()).add(r));
                    return all.stream().allMatch(p -> consumer.position(p) >= end.get(p));
                });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("Read only " + counts(read) + " of " + end + " records of " + topic, e);
            }
        }
        return read;
    }

    /**
     * Every acknowledged record is in {@code read} at its acknowledged offset with its value (one acknowledged
     * without an offset, as the duplicate of a batch written earlier, anywhere in its partition); offsets are dense
     * from 0; along each partition the producer's sequence numbers strictly increase, so no record is there twice
     * and none out of send order. Records that were never acknowledged (their send failed) may be present.
     *
     * @return a one-line summary for the test's output
     */
    static String assertExactlyOnceInOrder(Map<Integer, List<ConsumerRecord<byte[], byte[]>>> read,
            List<ContinuousProducer.Acked> acked) {
        List<String> violations = new ArrayList<>();
        Map<Integer, Map<Long, String>> values = new HashMap<>();
        for (Map.Entry<Integer, List<ConsumerRecord<byte[], byte[]>>> partition : read.entrySet()) {
            long expectedOffset = 0;
            long lastSequence = -1;
            Map<Long, String> byOffset = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : partition.getValue()) {
                String value = new String(r.value(), StandardCharsets.UTF_8);
                if (r.offset() != expectedOffset) {
                    violations.add("partition " + partition.getKey() + ": offset " + r.offset() + " where "
                            + expectedOffset + " was next (offsets not dense)");
                }
                long sequence = sequence(value);
                if (sequence <= lastSequence) {
                    violations.add("partition " + partition.getKey() + " offset " + r.offset() + ": sequence "
                            + sequence + " after " + lastSequence + " (duplicate or reordered)");
                }
                expectedOffset = r.offset() + 1;
                lastSequence = Math.max(lastSequence, sequence);
                byOffset.put(r.offset(), value);
            }
            values.put(partition.getKey(), byOffset);
        }
        for (ContinuousProducer.Acked a : acked) {
            Map<Long, String> partitionValues = values.getOrDefault(a.partition(), Map.of());
            if (a.offset() < 0) {
                // Acknowledged as a duplicate of a batch written earlier (DUPLICATE_SEQUENCE_NUMBER): no offset.
                if (!partitionValues.containsValue(a.value())) {
                    violations.add("acknowledged " + a.partition() + "@? (sequence " + a.sequence() + ", a duplicate"
                            + " without offset) is not in the log");
                }
                continue;
            }
            String there = partitionValues.get(a.offset());
            if (!a.value().equals(there)) {
                violations.add("acknowledged " + a.partition() + "@" + a.offset() + " (sequence " + a.sequence()
                        + ") reads back as " + there);
            }
        }
        assertThat(violations.stream().limit(SHOWN).toList()).as("violations of exactly-once, in-order delivery"
                + " (%d in all)", violations.size()).isEmpty();
        long total = read.values().stream().mapToLong(List::size).sum();
        long withoutOffset = acked.stream().filter(a -> a.offset() < 0).count();
        return acked.size() + " acknowledged records read back exactly once in order (" + withoutOffset
                + " acknowledged without an offset as duplicates of earlier batches); " + (total - acked.size())
                + " unacknowledged records also in the log; per partition " + counts(read);
    }

    /**
     * A group delivered every acknowledged record with its value, and only records that are in the log. With
     * {@code exactlyOnce}, each exactly once in offset order (a run without faults); otherwise a record may come
     * again, but never below an offset the member had already committed.
     */
    static void assertGroupDelivered(RecordingGroupMember member, List<ContinuousProducer.Acked> acked,
            boolean exactlyOnce) {
        Map<String, String> expected = acked.stream().filter(a -> a.offset() >= 0)
                .collect(Collectors.toMap(a -> a.partition() + "@" + a.offset(), ContinuousProducer.Acked::value));
        // Acknowledged without an offset (a duplicate of an earlier batch): found by value.
        Set<String> withoutOffset = acked.stream().filter(a -> a.offset() < 0).map(ContinuousProducer.Acked::value)
                .collect(Collectors.toCollection(HashSet::new));
        Map<String, Integer> times = new HashMap<>();
        List<String> violations = new ArrayList<>();
        Map<Integer, Long> lastOffset = new HashMap<>();
        for (RecordingGroupMember.Processed p : member.processed()) {
            String position = p.partition() + "@" + p.offset();
            times.merge(position, 1, Integer::sum);
            String value = expected.get(position);
            withoutOffset.remove(p.value());
            if (value != null && !value.equals(p.value())) {
                violations.add("group read " + p.value() + " at " + position + ", acknowledged as " + value);
            }
            long before = lastOffset.getOrDefault(p.partition(), -1L);
            if (exactlyOnce && p.offset() != before + 1) {
                violations.add("group read " + position + " after offset " + before);
            }
            lastOffset.put(p.partition(), p.offset());
        }
        expected.keySet().stream().filter(k -> !times.containsKey(k))
                .forEach(k -> violations.add("group never delivered acknowledged record " + k));
        withoutOffset.forEach(v -> violations.add("group never delivered acknowledged record " + v));
        if (exactlyOnce) {
            times.entrySet().stream().filter(e -> e.getValue() > 1)
                    .forEach(e -> violations.add("group delivered " + e.getKey() + " " + e.getValue() + " times"));
        }
        member.redeliveredAfterCommit().forEach(r -> violations.add("group redelivered " + r));
        assertThat(violations.stream().limit(SHOWN).toList()).as("group delivery violations (%d in all)",
                violations.size()).isEmpty();
    }

    /**
     * No answer the watcher read moved back, each explained, if one did, by the member's own commits: was the higher
     * offset acknowledged to the member before the lower answer (a commit lost, or a stale coordinator answering),
     * only after it (a commit read back before it was durable), or never.
     */
    static void assertCommittedOffsetsNeverMovedBack(CommittedOffsetsWatcher watcher, RecordingGroupMember member) {
        List<RecordingGroupMember.Commit> commits = member.commits();
        List<String> explained = watcher.backwards().stream().map(b -> b + ": " + explain(b, commits)).toList();
        assertThat(explained).as("committed offsets read moving back (%d reads of the group's offsets)",
                watcher.answers()).isEmpty();
    }

    private static String explain(CommittedOffsetsWatcher.Backwards b, List<RecordingGroupMember.Commit> commits) {
        return commits.stream()
                .filter(c -> c.partition() == b.partition().partition() && c.offset() >= b.from())
                .findFirst()
                .map(c -> c.nanos() <= b.toNanos()
                        ? "the member's commit of " + c.offset() + " had been acknowledged "
                                + TimeUnit.NANOSECONDS.toMillis(b.toNanos() - c.nanos()) + " ms before the lower read"
                                + " (an acknowledged commit lost, or a stale coordinator answering)"
                        : "the member's commit of " + c.offset() + " was acknowledged only "
                                + TimeUnit.NANOSECONDS.toMillis(c.nanos() - b.toNanos()) + " ms after the lower read"
                                + " (an offset commit served before it was replicated)")
                .orElse("the member never had a commit of " + b.from() + " or more acknowledged");
    }

    /**
     * Waits until every replica of each partition holds the same bytes, and fails with their sizes and the first
     * differing byte if they do not within {@code limit}. What is compared: the partition's segment files
     * ({@code <topic>-<partition>/<baseOffset>.log}) of each node that hosts it, concatenated in base-offset order,
     * so that replicas that rolled segments at different offsets still compare equal. Once producers have stopped
     * and every replica is in the ISR, the whole log is the committed range. The indexes, the leader-epoch
     * checkpoint and the producer snapshots are each node's own bookkeeping and are not compared.
     */
    static String assertReplicasIdentical(SpoolCluster cluster, String topic, int partitions, Duration limit) {
        List<String> summary = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            TopicPartition partition = new TopicPartition(topic, p);
            AtomicReference<Map<Integer, byte[]>> logs = new AtomicReference<>();
            try {
                await("replicas of " + partition + " byte-identical").atMost(limit)
                        .pollInterval(Duration.ofMillis(250)).until(() -> {
                            logs.set(replicaLogs(cluster, partition));
                            return logs.get().size() > 1 && allEqual(logs.get());
                        });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("Replicas of " + partition + " differ: " + describeDifference(logs.get()),
                        e);
            }
            summary.add(p + ": " + logs.get().size() + " replicas x " + logs.get().values().iterator().next().length
                    + " bytes");
        }
        return "replicas byte-identical per partition " + summary;
    }

    /** The concatenated segments of {@code partition} on each node whose data holds it. */
    private static Map<Integer, byte[]> replicaLogs(SpoolCluster cluster, TopicPartition partition) {
        Map<Integer, byte[]> logs = new TreeMap<>();
        for (ClusterNode node : cluster.nodes()) {
            Path dir = cluster.partitionDir(node.id(), partition);
            if (Files.isDirectory(dir)) {
                logs.put(node.id(), concatenatedSegments(dir));
            }
        }
        return logs;
    }

    private static byte[] concatenatedSegments(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> segments = files.filter(f -> f.getFileName().toString().matches("[0-9]+\\.log"))
                    .sorted(Comparator.comparingLong(f -> Long.parseLong(f.getFileName().toString().split("\\.")[0])))
                    .toList();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (Path segment : segments) {
                bytes.write(Files.readAllBytes(segment));
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean allEqual(Map<Integer, byte[]> logs) {
        byte[] first = logs.values().iterator().next();
        return logs.values().stream().allMatch(l -> Arrays.equals(l, first));
    }

    private static String describeDifference(Map<Integer, byte[]> logs) {
        if (logs == null || logs.isEmpty()) {
            return "no replica has the partition's directory";
        }
        StringBuilder text = new StringBuilder();
        logs.forEach((id, bytes) -> text.append("node ").append(id).append(": ").append(bytes.length)
                .append(" bytes; "));
        byte[] first = logs.values().iterator().next();
        int shortest = logs.values().stream().mapToInt(b -> b.length).min().orElse(0);
        for (int i = 0; i < shortest; i++) {
            int at = i;
            if (logs.values().stream().anyMatch(b -> b[at] != first[at])) {
                return text + "first difference at byte " + i;
            }
        }
        return text + "the shorter logs are prefixes of the longer ones";
    }

    private static long sequence(String value) {
        return Long.parseLong(value.split("-", 3)[1]);
    }

    private static Map<Integer, Integer> counts(Map<Integer, List<ConsumerRecord<byte[], byte[]>>> read) {
        Map<Integer, Integer> counts = new TreeMap<>();
        read.forEach((p, records) -> counts.put(p, records.size()));
        return counts;
    }
}
