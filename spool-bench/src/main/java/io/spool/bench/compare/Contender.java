package io.spool.bench.compare;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A broker set-up that the comparison measures: Apache Kafka with its shipped configuration, Spool with its
 * defaults (fsync before acknowledging acks=1/all), and Spool in page-cache mode, which only runs workload d.
 * Immutable.
 */
enum Contender {
    KAFKA("kafka", "kafka"),
    SPOOL("spool", "spool"),
    SPOOL_PAGE_CACHE("spool-page-cache", "spool (page cache)");

    private final String id;
    private final String label;

    Contender(String id, String label) {
        this.id = id;
        this.label = label;
    }

    /** Name in the {@code --systems} flag, the raw results and the run directories. */
    String id() {
        return id;
    }

    /** Name in the printed table. */
    String label() {
        return label;
    }

    /** Whether this contender runs {@code workload}: page-cache mode exists to show workload d's latencies. */
    boolean runs(Workload workload) {
        return this != SPOOL_PAGE_CACHE || workload == Workload.D;
    }

    /** The contenders a comma-separated list of ids names, in declaration order. */
    static List<Contender> parse(String list) {
        Set<Contender> chosen = EnumSet.noneOf(Contender.class);
        for (String item : list.split(",")) {
            if (!item.isBlank()) {
                chosen.add(fromId(item.trim()));
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("No system chosen; expected kafka, spool or spool-page-cache");
        }
        return new ArrayList<>(chosen);
    }

    private static Contender fromId(String id) {
        for (Contender c : values()) {
            if (c.id.equalsIgnoreCase(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("Unknown system '" + id + "'; expected kafka, spool or spool-page-cache");
    }
}
