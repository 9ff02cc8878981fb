package io.spool.broker.handler;

import io.spool.broker.ServerConfig;
import io.spool.metadata.TopicConfigs;
import io.spool.storage.CompactionConfig;
import io.spool.storage.LogConfig;
import io.spool.storage.TargetCompression;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The effective configuration of a topic: its own overrides, else the broker setting that is its synonym, else
 * Kafka's default; with the source of each value as DescribeConfigs reports it. Also turns the effective values
 * into the storage {@link LogConfig}. Immutable.
 */
public final class TopicConfigView {
    public static final byte TOPIC_CONFIG = 1;
    public static final byte DYNAMIC_BROKER_CONFIG = 2;
    public static final byte DYNAMIC_DEFAULT_BROKER_CONFIG = 3;
    public static final byte STATIC_BROKER_CONFIG = 4;
    public static final byte DEFAULT_CONFIG = 5;

    /** One described value, with the chain of values it overrides (synonyms), most specific first. */
    public record Entry(String name, String value, byte source, List<Synonym> synonyms, String type, String doc) {
    }

    public record Synonym(String name, String value, byte source) {
    }

    private final ServerConfig server;

    public TopicConfigView(ServerConfig server) {
        this.server = server;
    }

    public List<Entry> describe(Map<String, String> overrides, boolean withSynonyms, boolean withDocs) {
        List<Entry> entries = new ArrayList<>();
        for (TopicConfigs.Def def : TopicConfigs.all().values()) {
            List<Synonym> synonyms = new ArrayList<>();
            String override = overrides.get(def.name());
            if (override != null) {
                synonyms.add(new Synonym(def.name(), override, TOPIC_CONFIG));
            }
            String synonym = def.brokerSynonym();
            if (synonym != null && ServerConfig.settings().containsKey(synonym) && server.isExplicit(synonym)) {
                synonyms.add(new Synonym(synonym, brokerValue(def), STATIC_BROKER_CONFIG));
            }
            String defaultValue = synonym != null && ServerConfig.settings().containsKey(synonym)
                    ? brokerValue(def) : def.defaultValue();
            synonyms.add(new Synonym(synonym != null ? synonym : def.name(), defaultValue, DEFAULT_CONFIG));
            Synonym effective = synonyms.get(0);
            entries.add(new Entry(def.name(), effective.value(), effective.source(),
                    withSynonyms ? synonyms : List.of(), def.type().name(), withDocs ? def.doc() : null));
        }
        return entries;
    }

    /** The value a topic without overrides gets from this broker's configuration. */
    private String brokerValue(TopicConfigs.Def def) {
        return switch (def.brokerSynonym()) {
            case "log.retention.ms" -> String.valueOf(server.retentionMs());
            case "log.roll.ms" -> String.valueOf(server.segmentMs());
            default -> server.valueAsString(def.brokerSynonym());
        };
    }

    public String value(Map<String, String> overrides, String name) {
        String override = overrides.get(name);
        if (override != null) {
            return override;
        }
        TopicConfigs.Def def = TopicConfigs.all().get(name);
        String synonym = def.brokerSynonym();
        return synonym != null && ServerConfig.settings().containsKey(synonym) ? brokerValue(def)
                : def.defaultValue();
    }

    /**
     * The storage settings of a topic. A topic whose cleanup.policy lacks "delete" gets no retention limits: its
     * segments go only by compaction.
     */
    public LogConfig logConfig(Map<String, String> overrides) {
        List<String> policy = List.of(value(overrides, "cleanup.policy").replace(" ", "").split(","));
        boolean delete = policy.contains("delete");
        return new LogConfig(
                Integer.parseInt(value(overrides, "segment.bytes")),
                Long.parseLong(value(overrides, "segment.ms")),
                delete ? Long.parseLong(value(overrides, "retention.ms")) : -1L,
                delete ? Long.parseLong(value(overrides, "retention.bytes")) : -1L,
                Integer.parseInt(value(overrides, "max.message.bytes")),
                Integer.parseInt(value(overrides, "index.interval.bytes")),
                Integer.parseInt(value(overrides, "segment.index.bytes")),
                "LogAppendTime".equals(value(overrides, "message.timestamp.type")),
                Long.parseLong(value(overrides, "message.timestamp.before.max.ms")),
                Long.parseLong(value(overrides, "message.timestamp.after.max.ms")),
                Boolean.parseBoolean(value(overrides, "flush.on.ack")),
                policy.contains("compact"),
                Long.parseLong(value(overrides, "file.delete.delay.ms")),
                new CompactionConfig(Long.parseLong(value(overrides, "delete.retention.ms")),
                        Long.parseLong(value(overrides, "min.compaction.lag.ms")),
                        Long.parseLong(value(overrides, "max.compaction.lag.ms")),
                        Double.parseDouble(value(overrides, "min.cleanable.dirty.ratio"))),
                TargetCompression.of(value(overrides, "compression.type"),
                        Integer.parseInt(value(overrides, "compression.gzip.level")),
                        Integer.parseInt(value(overrides, "compression.lz4.level")),
                        Integer.parseInt(value(overrides, "compression.zstd.level"))));
    }
}
