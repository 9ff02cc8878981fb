package io.spool.bench.compare;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The workloads of {@code spool bench compare}, at scale 1. Record counts and the fixed-rate duration shrink with
 * {@link Scaling}; record sizes, partition counts, acks and rates never do. Immutable.
 */
enum Workload {
    A("produce 1 KiB, acks=all, linger.ms=5, 6 partitions, unthrottled", Tool.PRODUCE, 1_000_000, 1024, 6, "all"),
    B("produce 100 B, acks=1, linger.ms=5, 6 partitions, unthrottled", Tool.PRODUCE, 2_000_000, 100, 6, "1"),
    C("consume all of a (fetch phase, group join excluded)", Tool.CONSUME, 1_000_000, 1024, 6, ""),
    D("20,000 records/s of 1 KiB, acks=all, 6 partitions, steady state", Tool.FIXED_RATE, 600_000, 1024, 6, "all"),
    E("end-to-end latency 1 KiB, acks=all, 1 partition", Tool.END_TO_END, 10_000, 1024, 1, "all"),
    F("produce 1 KiB, acks=all, linger.ms=5, 1,000 partitions", Tool.PRODUCE, 1_000_000, 1024, 1000, "all");

    /** Which of Apache Kafka's tools drives a workload. */
    enum Tool {
        PRODUCE, CONSUME, FIXED_RATE, END_TO_END
    }

    /** Records per second of workload d, at every scale. */
    static final int FIXED_RATE = 20_000;

    private final String description;
    private final Tool tool;
    private final long records;
    private final int recordSize;
    private final int partitions;
    private final String acks;

    Workload(String description, Tool tool, long records, int recordSize, int partitions, String acks) {
        this.description = description;
        this.tool = tool;
        this.records = records;
        this.recordSize = recordSize;
        this.partitions = partitions;
        this.acks = acks;
    }

    /** The letter the issue and the {@code --workloads} flag name it by. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    String description() {
        return description;
    }

    Tool tool() {
        return tool;
    }

    /** Records at scale 1. */
    long baseRecords() {
        return records;
    }

    int recordSize() {
        return recordSize;
    }

    int partitions() {
        return partitions;
    }

    String acks() {
        return acks;
    }

    /** The workloads a comma-separated list of letters names, in run order; c brings a along, whose topic it reads. */
    static List<Workload> parse(String list) {
        Set<Workload> chosen = EnumSet.noneOf(Workload.class);
        for (String item : list.split(",")) {
            String id = item.trim();
            if (id.isEmpty()) {
                continue;
            }
            if (id.length() != 1) {
                throw new IllegalArgumentException("Unknown workload '" + id + "'; expected letters a to f");
            }
            chosen.add(fromId(id));
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("No workload chosen; expected letters a to f");
        }
        if (chosen.contains(C)) {
            chosen.add(A);
        }
        return new ArrayList<>(chosen);
    }

    private static Workload fromId(String id) {
        for (Workload w : values()) {
            if (w.id().equalsIgnoreCase(id)) {
                return w;
            }
        }
        throw new IllegalArgumentException("Unknown workload '" + id + "'; expected letters a to f");
    }
}
