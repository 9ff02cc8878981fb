package io.spool.metadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.kafka.common.protocol.Errors;

/**
 * Turns IncrementalAlterConfigs and AlterConfigs of topics and brokers into {@link ConfigRecord}s (a null value
 * deletes a config), validated against a metadata image as Kafka's controller does: the whole resulting config of
 * a resource is checked, then the resource's existence. Only configs whose value changes produce records. Stateless;
 * the {@link Controller} calls it on its thread.
 *
 * <p>Errors per resource, checked in this order:
 * <ul>
 *   <li>{@code INVALID_REQUEST}: a topic resource with an empty name ("Default topic resources are not allowed."),
 *       a broker name that is not a base 10 number or is negative, SET of a null value</li>
 *   <li>{@code INVALID_TOPIC_EXCEPTION}: an illegal topic name</li>
 *   <li>{@code INVALID_CONFIG}: APPEND or SUBTRACT on a config that is not a LIST; a resulting value longer than
 *       32,767 bytes, Kafka's limit ({@link ConfigRecord#VALUE_TOO_LONG}); an unknown topic config, a null or
 *       invalid topic config value; a broker config that is not one of {@link DynamicBrokerConfigs}</li>
 *   <li>{@code INVALID_REQUEST}: an invalid dynamic broker config value (Kafka reports a broker config that fails
 *       validation as an invalid request, KAFKA-13609)</li>
 *   <li>{@code UNKNOWN_TOPIC_OR_PARTITION}: the topic does not exist</li>
 * </ul>
 */
final class ConfigControl {
    private ConfigControl() {
    }

    /** Applies each resource's operations in order; adds the records of the valid resources to {@code records}. */
    static List<AlterConfigsResult> handleIncrementalAlterConfigs(MetadataImage image,
            Map<ConfigResourceId, List<ConfigOp>> changes, List<MetadataRecord> records) {
        List<AlterConfigsResult> results = new ArrayList<>();
        changes.forEach((resource, ops) -> results.add(incremental(image, resource, ops, records)));
        return results;
    }

    /** Replaces each resource's configs by the given ones (configs left out are deleted). */
    static List<AlterConfigsResult> handleAlterConfigs(MetadataImage image,
            Map<ConfigResourceId, Map<String, String>> configs, List<MetadataRecord> records) {
        List<AlterConfigsResult> results = new ArrayList<>();
        configs.forEach((resource, values) -> {
            Optional<AlterConfigsResult> badName = checkName(resource);
            results.add(badName.orElseGet(() -> finish(image, resource, new HashMap<>(values), records)));
        });
        return results;
    }

    private static AlterConfigsResult incremental(MetadataImage image, ConfigResourceId resource, List<ConfigOp> ops,
            List<MetadataRecord> records) {
        Optional<AlterConfigsResult> badName = checkName(resource);
        if (badName.isPresent()) {
            return badName.get();
        }
        Map<String, String> next = new HashMap<>(current(image, resource));
        for (ConfigOp op : ops) {
            switch (op.kind()) {
                case SET -> {
                    if (op.value() == null) {
                        return AlterConfigsResult.error(resource, Errors.INVALID_REQUEST,
                                "Null value not supported for : " + op.name());
                    }
                    next.put(op.name(), op.value());
                }
                case DELETE -> next.remove(op.name());
                case APPEND, SUBTRACT -> {
                    if (!isList(resource.type(), op.name())) {
                        return AlterConfigsResult.error(resource, Errors.INVALID_CONFIG, "Can't " + op.kind()
                                + " to key " + op.name() + " because its type is not LIST.");
                    }
                    next.put(op.name(), applyListOp(op, next.getOrDefault(op.name(), defaultOf(op.name()))));
                }
            }
        }
        return finish(image, resource, next, records);
    }

    private static String applyListOp(ConfigOp op, String old) {
        List<String> parts = new ArrayList<>();
        for (String part : (old == null ? "" : old).split(",")) {
            if (!part.trim().isEmpty()) {
                parts.add(part.trim());
            }
        }
        for (String value : (op.value() == null ? "" : op.value()).split(",")) {
            String item = value.trim();
            if (op.kind() == ConfigOp.Kind.APPEND && !item.isEmpty() && !parts.contains(item)) {
                parts.add(item);
            } else if (op.kind() == ConfigOp.Kind.SUBTRACT) {
                parts.remove(item);
            }
        }
        return String.join(",", parts);
    }

    /** Validates the resulting configs of a resource and, if they are valid, adds a record per changed config. */
    private static AlterConfigsResult finish(MetadataImage image, ConfigResourceId resource, Map<String, String> next,
            List<MetadataRecord> records) {
        Optional<AlterConfigsResult> invalid = resource.type() == ConfigResourceType.TOPIC
                ? TopicConfigs.validate(next).map(m -> AlterConfigsResult.error(resource, Errors.INVALID_CONFIG, m))
                : validateBroker(resource, next);
        if (invalid.isPresent()) {
            return invalid.get();
        }
        if (resource.type() == ConfigResourceType.TOPIC && image.topics().byName(resource.name()).isEmpty()) {
            return AlterConfigsResult.error(resource, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                    "The topic '" + resource.name() + "' does not exist.");
        }
        Map<String, String> current = current(image, resource);
        TreeSet<String> names = new TreeSet<>(current.keySet());
        names.addAll(next.keySet());
        for (String name : names) {
            String value = next.get(name) == null ? null : next.get(name).trim();
            if (!Objects.equals(current.get(name), value)) {
                records.add(new ConfigRecord(resource.type(), resource.name(), name, value));
            }
        }
        return AlterConfigsResult.ok(resource);
    }

    private static Optional<AlterConfigsResult> validateBroker(ConfigResourceId resource, Map<String, String> next) {
        Optional<String> tooLong = ConfigRecord.checkValueSizes(next);
        if (tooLong.isPresent()) {
            return Optional.of(AlterConfigsResult.error(resource, Errors.INVALID_CONFIG, tooLong.get()));
        }
        for (String name : new TreeSet<>(next.keySet())) {
            if (!DynamicBrokerConfigs.isDynamic(name)) {
                return Optional.of(AlterConfigsResult.error(resource, Errors.INVALID_CONFIG,
                        "Not a dynamic broker config of this cluster: " + name));
            }
            Optional<String> bad = DynamicBrokerConfigs.validateValue(name, next.get(name));
            if (bad.isPresent()) {
                return Optional.of(AlterConfigsResult.error(resource, Errors.INVALID_REQUEST, bad.get()));
            }
        }
        return Optional.empty();
    }

    private static Optional<AlterConfigsResult> checkName(ConfigResourceId resource) {
        String name = resource.name();
        if (resource.type() == ConfigResourceType.TOPIC) {
            if (name.isEmpty()) {
                return Optional.of(AlterConfigsResult.error(resource, Errors.INVALID_REQUEST,
                        "Default topic resources are not allowed."));
            }
            return TopicNames.validate(name)
                    .map(m -> AlterConfigsResult.error(resource, Errors.INVALID_TOPIC_EXCEPTION, m));
        }
        if (name.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (Integer.parseInt(name) < 0) {
                return Optional.of(AlterConfigsResult.error(resource, Errors.INVALID_REQUEST,
                        "Invalid negative broker ID."));
            }
            return Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.of(AlterConfigsResult.error(resource, Errors.INVALID_REQUEST,
                    "Unable to parse broker name as a base 10 number."));
        }
    }

    private static Map<String, String> current(MetadataImage image, ConfigResourceId resource) {
        return resource.type() == ConfigResourceType.TOPIC ? image.configs().topicConfigs(resource.name())
                : image.configs().brokerConfigs(resource.name());
    }

    private static boolean isList(ConfigResourceType type, String name) {
        return type == ConfigResourceType.TOPIC && TopicConfigs.def(name)
                .map(d -> d.type() == TopicConfigs.Type.LIST).orElse(false);
    }

    private static String defaultOf(String name) {
        return TopicConfigs.def(name).map(TopicConfigs.Def::defaultValue).orElse("");
    }
}
