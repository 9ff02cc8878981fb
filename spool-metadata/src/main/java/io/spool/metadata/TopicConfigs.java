package io.spool.metadata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The topic-level configs Spool accepts, under Kafka's names, with Kafka 4.x's types, defaults, broker synonyms
 * and validity rules, plus Spool's own {@code flush.on.ack}. Used to validate CreateTopics/AlterConfigs input and to
 * answer DescribeConfigs. Stateless and thread-safe.
 */
public final class TopicConfigs {
    /** The value type of a config, as Kafka's DescribeConfigs reports it. */
    public enum Type { BOOLEAN, STRING, INT, LONG, DOUBLE, LIST }

    /**
     * Checks the trimmed value of config {@code name}, which already parsed as its {@link Type}; returns the message
     * Kafka's ConfigException would carry for it, or empty.
     */
    @FunctionalInterface
    public interface Validator {
        Optional<String> check(String name, String value);

        Validator ANY = (name, value) -> Optional.empty();
    }

    /**
     * One topic config.
     *
     * @param brokerSynonym the broker config whose value is this topic config's default, or null
     * @param validRange    a human-readable description of the valid values, for DescribeConfigs docs
     */
    public record Def(String name, Type type, String defaultValue, String brokerSynonym, String doc,
            String validRange, Validator validator) {
    }

    public static final String FLUSH_ON_ACK = "flush.on.ack";

    private static final Set<String> COMPRESSION_TYPES = Set.of("uncompressed", "zstd", "lz4", "snappy", "gzip",
            "producer");
    private static final Map<String, Def> ALL = build();

    private TopicConfigs() {
    }

    /** Every topic config by name, in name order. */
    public static Map<String, Def> all() {
        return ALL;
    }

    public static Optional<Def> def(String name) {
        return Optional.ofNullable(ALL.get(name));
    }

    /**
     * Validates topic config overrides.
     *
     * @return the error for the first unknown name, null value or invalid value (in name order), or empty when all
     *     are valid; callers report it as {@code INVALID_CONFIG}
     */
    public static Optional<String> validate(Map<String, String> configs) {
        Optional<String> tooLong = ConfigRecord.checkValueSizes(configs);
        if (tooLong.isPresent()) {
            return tooLong;
        }
        for (Map.Entry<String, String> entry : new TreeMap<>(configs).entrySet()) {
            Optional<String> error = validate(entry.getKey(), entry.getValue());
            if (error.isPresent()) {
                return error;
            }
        }
        return Optional.empty();
    }

    /** Validates one config; see {@link #validate(Map)}. */
    public static Optional<String> validate(String name, String value) {
        Def def = ALL.get(name);
        if (def == null) {
            return Optional.of("Unknown topic config name: " + name);
        }
        if (value == null) {
            return Optional.of("Null value not supported for topic config: " + name);
        }
        Optional<String> parseError = checkType(def, value.trim());
        if (parseError.isPresent()) {
            return parseError;
        }
        return def.validator().check(name, value.trim());
    }

    /**
     * The effective value of every topic config: the override if set, else the broker synonym's value from
     * {@code brokerConfigs} if present, else the default.
     */
    public static Map<String, String> effective(Map<String, String> overrides, Map<String, String> brokerConfigs) {
        Map<String, String> result = new TreeMap<>();
        for (Def def : ALL.values()) {
            String value = overrides.get(def.name());
            if (value == null && def.brokerSynonym() != null) {
                value = brokerConfigs.get(def.brokerSynonym());
            }
            result.put(def.name(), value != null ? value : def.defaultValue());
        }
        return result;
    }

    private static Optional<String> checkType(Def def, String value) {
        try {
            switch (def.type()) {
                case BOOLEAN -> {
                    String lower = value.toLowerCase(Locale.ROOT);
                    if (!lower.equals("true") && !lower.equals("false")) {
                        return Optional.of("Invalid value " + value + " for configuration " + def.name()
                                + ": Expected value to be either true or false");
                    }
                }
                case INT -> Integer.parseInt(value);
                case LONG -> Long.parseLong(value);
                case DOUBLE -> Double.parseDouble(value);
                case STRING, LIST -> {
                }
            }
            return Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.of("Invalid value " + value + " for configuration " + def.name() + ": Not a number of type "
                    + def.type());
        }
    }

    /** The message of Kafka's {@code ConfigException(name, value, reason)}. */
    private static Optional<String> invalid(String name, String value, String reason) {
        return Optional.of("Invalid value " + value + " for configuration " + name + ": " + reason);
    }

    private static Validator atLeast(long min) {
        return (name, value) -> Double.parseDouble(value) < min
                ? invalid(name, value, "Value must be at least " + min) : Optional.empty();
    }

    private static Validator between(double min, double max) {
        return (name, value) -> {
            double v = Double.parseDouble(value);
            return v < min || v > max
                    ? invalid(name, value, "Value must be no less than " + min + " and no more than " + max)
                    : Optional.empty();
        };
    }

    private static Validator intRange(int min, int max) {
        return (name, value) -> {
            int v = Integer.parseInt(value);
            return v >= min && v <= max ? Optional.empty()
                    : invalid(name, value, "Value must be between " + min + " and " + max);
        };
    }

    private static Validator intRangeOr(int min, int max, int alsoAllowed) {
        Validator range = intRange(min, max);
        return (name, value) -> Integer.parseInt(value) == alsoAllowed ? Optional.empty() : range.check(name, value);
    }

    private static Validator oneOf(Set<String> allowed) {
        return (name, value) -> allowed.contains(value) ? Optional.empty()
                : invalid(name, value, "String must be one of: " + String.join(", ", sorted(allowed)));
    }

    private static List<String> sorted(Set<String> values) {
        List<String> list = new ArrayList<>(values);
        Collections.sort(list);
        return list;
    }

    /**
     * A comma-separated list of {@code allowed} items, checked as Kafka 4's {@code ConfigDef.ValidList.in}: the empty
     * string is the empty list and valid (for cleanup.policy it means no cleanup at all); an empty item, as in
     * {@code "delete,"} or {@code ",compact"}, is refused; a duplicate is valid (Kafka drops it with a warning).
     * Items are checked in order, so the first bad one names the error.
     */
    private static Validator listOf(Set<String> allowed) {
        Validator item = oneOf(allowed);
        return (name, value) -> {
            if (value.isEmpty()) {
                return Optional.empty();
            }
            for (String raw : value.split(",", -1)) {
                String trimmed = raw.trim();
                if (trimmed.isEmpty()) {
                    return Optional.of("Configuration '" + name + "' values must not be empty.");
                }
                Optional<String> error = item.check(name, trimmed);
                if (error.isPresent()) {
                    return error;
                }
            }
            return Optional.empty();
        };
    }

    /** "*" or a list of "partition:brokerId" pairs, as Kafka's replication throttle configs take. */
    private static Validator throttledReplicas() {
        return (name, value) -> {
            if (value.isEmpty() || value.equals("*")) {
                return Optional.empty();
            }
            for (String item : value.split(",")) {
                if (!item.trim().matches("[0-9]+:[0-9]+")) {
                    return invalid(name, value, "Must be the literal '*' or a list of replicas in the form "
                            + "[PartitionId]:[BrokerId],[PartitionId]:[BrokerId],...");
                }
            }
            return Optional.empty();
        };
    }

    private static Validator onlyFalse(String reason) {
        return (name, value) -> value.equalsIgnoreCase("false") ? Optional.empty() : invalid(name, value, reason);
    }

    private static Map<String, Def> build() {
        Map<String, Def> defs = new LinkedHashMap<>();
        String max = Long.toString(Long.MAX_VALUE);
        add(defs, "cleanup.policy", Type.LIST, "delete", "log.cleanup.policy",
                "Retention policy for old segments: \"delete\", \"compact\", or both.", "[compact, delete]",
                listOf(Set.of("compact", "delete")));
        add(defs, "compression.type", Type.STRING, "producer", "compression.type",
                "Final compression of the topic's batches; \"producer\" keeps what the producer sent.",
                sorted(COMPRESSION_TYPES).toString(), oneOf(COMPRESSION_TYPES));
        add(defs, "compression.gzip.level", Type.INT, "-1", "compression.gzip.level",
                "Compression level for gzip when compression.type is gzip.", "[1,...,9] or -1",
                intRangeOr(1, 9, -1));
        add(defs, "compression.lz4.level", Type.INT, "9", "compression.lz4.level",
                "Compression level for lz4 when compression.type is lz4.", "[1,...,17]", intRange(1, 17));
        add(defs, "compression.zstd.level", Type.INT, "3", "compression.zstd.level",
                "Compression level for zstd when compression.type is zstd.", "[-131072,...,22]",
                intRange(-131072, 22));
        add(defs, "delete.retention.ms", Type.LONG, "86400000", "log.cleaner.delete.retention.ms",
                "How long tombstones are kept in a compacted topic.", "[0,...]", atLeast(0));
        add(defs, "file.delete.delay.ms", Type.LONG, "60000", "log.segment.delete.delay.ms",
                "How long to wait before deleting a file from the filesystem.", "[0,...]", atLeast(0));
        add(defs, "flush.messages", Type.LONG, max, "log.flush.interval.messages",
                "Number of messages after which the log is fsynced.", "[1,...]", atLeast(1));
        add(defs, "flush.ms", Type.LONG, max, "log.flush.interval.ms",
                "Time after which the log is fsynced.", "[0,...]", atLeast(0));
        add(defs, FLUSH_ON_ACK, Type.BOOLEAN, "true", "log.flush.on.ack",
                "Spool: fsync an acks=all write (group commit) before acknowledging it; false selects page-cache"
                        + " durability as in Kafka.", "", Validator.ANY);
        add(defs, "follower.replication.throttled.replicas", Type.LIST, "", "follower.replication.throttled.replicas",
                "Replicas whose log replication is throttled on the follower side.", "[partitionId]:[brokerId],...",
                throttledReplicas());
        add(defs, "index.interval.bytes", Type.INT, "4096", "log.index.interval.bytes",
                "How often an entry is added to the offset index.", "[0,...]", atLeast(0));
        add(defs, "leader.replication.throttled.replicas", Type.LIST, "", "leader.replication.throttled.replicas",
                "Replicas whose log replication is throttled on the leader side.", "[partitionId]:[brokerId],...",
                throttledReplicas());
        add(defs, "local.retention.bytes", Type.LONG, "-2", "log.local.retention.bytes",
                "Local retention size when tiered storage is enabled.", "[-2,...]", atLeast(-2));
        add(defs, "local.retention.ms", Type.LONG, "-2", "log.local.retention.ms",
                "Local retention time when tiered storage is enabled.", "[-2,...]", atLeast(-2));
        add(defs, "max.compaction.lag.ms", Type.LONG, max, "log.cleaner.max.compaction.lag.ms",
                "Longest time a message stays ineligible for compaction.", "[1,...]", atLeast(1));
        add(defs, "max.message.bytes", Type.INT, "1048588", "message.max.bytes",
                "Largest record batch size allowed.", "[0,...]", atLeast(0));
        add(defs, "message.downconversion.enable", Type.BOOLEAN, "true", null,
                "Deprecated no-op: down-conversion does not exist in Kafka 4.x.", "", Validator.ANY);
        add(defs, "message.timestamp.after.max.ms", Type.LONG, "3600000", "log.message.timestamp.after.max.ms",
                "How far a CreateTime timestamp may be ahead of the broker's clock.", "[0,...]", atLeast(0));
        add(defs, "message.timestamp.before.max.ms", Type.LONG, max, "log.message.timestamp.before.max.ms",
                "How far a CreateTime timestamp may be behind the broker's clock.", "[0,...]", atLeast(0));
        add(defs, "message.timestamp.type", Type.STRING, "CreateTime", "log.message.timestamp.type",
                "Whether record timestamps are the producer's (CreateTime) or the broker's (LogAppendTime).",
                "[CreateTime, LogAppendTime]", oneOf(Set.of("CreateTime", "LogAppendTime")));
        add(defs, "min.cleanable.dirty.ratio", Type.DOUBLE, "0.5", "log.cleaner.min.cleanable.ratio",
                "Dirty ratio at which the log is compacted.", "[0,...,1]", between(0, 1));
        add(defs, "min.compaction.lag.ms", Type.LONG, "0", "log.cleaner.min.compaction.lag.ms",
                "Shortest time a message stays uncompacted.", "[0,...]", atLeast(0));
        add(defs, "min.insync.replicas", Type.INT, "1", "min.insync.replicas",
                "Fewest in-sync replicas for an acks=all write to succeed.", "[1,...]", atLeast(1));
        add(defs, "preallocate", Type.BOOLEAN, "false", "log.preallocate",
                "Preallocate the file of a new segment.", "", Validator.ANY);
        add(defs, "remote.log.copy.disable", Type.BOOLEAN, "false", null,
                "Stop copying segments to tiered storage.", "", Validator.ANY);
        add(defs, "remote.log.delete.on.disable", Type.BOOLEAN, "false", null,
                "Delete tiered data when tiered storage is disabled for the topic.", "", Validator.ANY);
        add(defs, "remote.storage.enable", Type.BOOLEAN, "false", null,
                "Tiered storage for the topic; Spool has none, so only false is valid.", "[false]",
                onlyFalse("Tiered storage is not supported by this cluster"));
        add(defs, "retention.bytes", Type.LONG, "-1", "log.retention.bytes",
                "Largest size of a partition's log before old segments are deleted; -1 for no limit.", "",
                Validator.ANY);
        add(defs, "retention.ms", Type.LONG, "604800000", "log.retention.ms",
                "Longest time a segment is kept; -1 for no limit.", "[-1,...]", atLeast(-1));
        add(defs, "segment.bytes", Type.INT, "1073741824", "log.segment.bytes",
                "Segment file size.", "[1048576,...]", atLeast(1024 * 1024));
        add(defs, "segment.index.bytes", Type.INT, "10485760", "log.index.size.max.bytes",
                "Size of a segment's offset and time indexes.", "[4,...]", atLeast(4));
        add(defs, "segment.jitter.ms", Type.LONG, "0", "log.roll.jitter.ms",
                "Random jitter subtracted from segment.ms.", "[0,...]", atLeast(0));
        add(defs, "segment.ms", Type.LONG, "604800000", "log.roll.ms",
                "Time after which a segment is rolled even if not full.", "[1,...]", atLeast(1));
        add(defs, "unclean.leader.election.enable", Type.BOOLEAN, "false", "unclean.leader.election.enable",
                "Allow an out-of-sync replica to become leader as a last resort, losing data.", "", Validator.ANY);
        return Collections.unmodifiableMap(new TreeMap<>(defs));
    }

    private static void add(Map<String, Def> defs, String name, Type type, String defaultValue, String synonym,
            String doc, String validRange, Validator validator) {
        defs.put(name, new Def(name, type, defaultValue, synonym, doc, validRange, validator));
    }
}
