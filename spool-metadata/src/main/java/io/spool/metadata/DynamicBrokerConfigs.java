package io.spool.metadata;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The broker configs that can be changed at runtime through IncrementalAlterConfigs/AlterConfigs, per broker or as
 * the cluster-wide default, under Kafka's names and with Kafka's types, defaults and validity rules: the replication
 * throttle rates of KIP-73. Stateless and thread-safe.
 */
public final class DynamicBrokerConfigs {
    public static final String LEADER_REPLICATION_THROTTLED_RATE = "leader.replication.throttled.rate";
    public static final String FOLLOWER_REPLICATION_THROTTLED_RATE = "follower.replication.throttled.rate";

    /** One dynamic broker config; every one is a LONG at least 0. */
    public record Def(String name, String defaultValue, String doc) {
    }

    private static final Map<String, Def> ALL = build();

    private DynamicBrokerConfigs() {
    }

    /** Every dynamic broker config by name, in name order. */
    public static Map<String, Def> all() {
        return ALL;
    }

    public static boolean isDynamic(String name) {
        return ALL.containsKey(name);
    }

    /**
     * Checks the value of a dynamic broker config.
     *
     * @return why it is invalid, or empty; Kafka reports an invalid broker config value as {@code INVALID_REQUEST}
     */
    public static Optional<String> validateValue(String name, String value) {
        if (value == null) {
            return Optional.of("Null value not supported for : " + name);
        }
        try {
            if (Long.parseLong(value.trim()) < 0) {
                return Optional.of("Invalid value " + value + " for configuration " + name
                        + ": Value must be at least 0");
            }
            return Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.of("Invalid value " + value + " for configuration " + name
                    + ": Not a number of type LONG");
        }
    }

    /** The effective value of {@code name} for a broker: its own override, else the cluster default, else Kafka's. */
    public static long effectiveLong(ConfigsImage configs, int brokerId, String name) {
        String value = configs.brokerConfigs(Integer.toString(brokerId)).get(name);
        if (value == null) {
            value = configs.brokerConfigs("").get(name);
        }
        return Long.parseLong((value != null ? value : ALL.get(name).defaultValue()).trim());
    }

    private static Map<String, Def> build() {
        Map<String, Def> defs = new TreeMap<>();
        String max = Long.toString(Long.MAX_VALUE);
        defs.put(LEADER_REPLICATION_THROTTLED_RATE, new Def(LEADER_REPLICATION_THROTTLED_RATE, max,
                "Upper bound (bytes/s) on the replication traffic a leader sends for the replicas listed in a topic's"
                        + " leader.replication.throttled.replicas."));
        defs.put(FOLLOWER_REPLICATION_THROTTLED_RATE, new Def(FOLLOWER_REPLICATION_THROTTLED_RATE, max,
                "Upper bound (bytes/s) on the replication traffic a follower fetches for the replicas listed in a"
                        + " topic's follower.replication.throttled.replicas."));
        return java.util.Collections.unmodifiableMap(defs);
    }
}
