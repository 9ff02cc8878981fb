package io.spool.broker.handler;

import io.spool.broker.ServerConfig;
import io.spool.broker.Setting;
import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.metadata.DynamicBrokerConfigs;
import io.spool.metadata.TopicNames;
import java.util.ArrayList;
import io.spool.protocol.KafkaRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeConfigs for topics (every topic config with its effective value and source: DYNAMIC_TOPIC_CONFIG for a
 * value set with CreateTopics or (Incremental)AlterConfigs) and for this broker (its static settings, and the
 * dynamic broker configs with their source), with synonyms and documentation on request.
 *
 * <p>Errors per resource: UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION, INVALID_REQUEST (another broker's
 * id, a broker id that is not a number, or an unsupported resource type).
 */
public final class DescribeConfigsHandler implements RequestHandler {
    static final byte TOPIC = 2;
    static final byte BROKER = 4;

    private final BrokerContext broker;
    private final TopicConfigView topicConfigs;

    public DescribeConfigsHandler(BrokerContext broker, TopicConfigView topicConfigs) {
        this.broker = broker;
        this.topicConfigs = topicConfigs;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        DescribeConfigsRequestData data = request.body();
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsResource resource : data.resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult().setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName()).setErrorCode(Errors.NONE.code());
            response.results().add(result);
            if (resource.resourceType() == TOPIC) {
                describeTopic(resource, data, result);
            } else if (resource.resourceType() == BROKER) {
                describeBroker(resource, data, result);
            } else {
                result.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Unsupported resource type " + resource.resourceType());
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private void describeTopic(DescribeConfigsResource resource, DescribeConfigsRequestData data,
            DescribeConfigsResult result) {
        String name = resource.resourceName();
        if (TopicNames.validate(name).isPresent()) {
            result.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code()).setErrorMessage("Invalid topic name");
            return;
        }
        if (broker.image().topics().byName(name).isEmpty()) {
            result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("Unknown topic " + name);
            return;
        }
        Map<String, String> overrides = broker.image().configs().topicConfigs(name);
        for (TopicConfigView.Entry e : topicConfigs.describe(overrides, data.includeSynonyms(),
                data.includeDocumentation())) {
            if (!wanted(resource, e.name())) {
                continue;
            }
            DescribeConfigsResourceResult out = new DescribeConfigsResourceResult().setName(e.name())
                    .setValue(e.value()).setConfigSource(e.source()).setReadOnly(false).setIsSensitive(false)
                    .setConfigType(configType(e.type())).setDocumentation(e.doc());
            e.synonyms().forEach(s -> out.synonyms().add(new DescribeConfigsSynonym().setName(s.name())
                    .setValue(s.value()).setSource(s.source())));
            result.configs().add(out);
        }
    }

    private void describeBroker(DescribeConfigsResource resource, DescribeConfigsRequestData data,
            DescribeConfigsResult result) {
        String name = resource.resourceName();
        if (!name.isEmpty() && !name.equals(String.valueOf(broker.nodeId()))) {
            result.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("Broker " + broker.nodeId() + " cannot describe the configs of broker " + name);
            return;
        }
        ServerConfig config = broker.config();
        for (Setting setting : ServerConfig.settings().values()) {
            if (!wanted(resource, setting.name())) {
                continue;
            }
            byte source = config.isExplicit(setting.name()) ? TopicConfigView.STATIC_BROKER_CONFIG
                    : TopicConfigView.DEFAULT_CONFIG;
            String value = config.valueAsString(setting.name());
            DescribeConfigsResourceResult out = new DescribeConfigsResourceResult().setName(setting.name())
                    .setValue(value).setConfigSource(source).setReadOnly(true).setIsSensitive(false)
                    .setConfigType(configType(setting.type().name()))
                    .setDocumentation(data.includeDocumentation() ? setting.doc() : null);
            if (data.includeSynonyms()) {
                out.synonyms().add(new DescribeConfigsSynonym().setName(setting.name()).setValue(value)
                        .setSource(source));
            }
            result.configs().add(out);
        }
        describeDynamicBroker(resource, data, result);
    }

    /**
     * The dynamic broker configs: this broker's own value (DYNAMIC_BROKER_CONFIG), else the cluster default
     * (DYNAMIC_DEFAULT_BROKER_CONFIG), else Kafka's default; the default resource ({@code ""}) shows only the latter
     * two.
     */
    private void describeDynamicBroker(DescribeConfigsResource resource, DescribeConfigsRequestData data,
            DescribeConfigsResult result) {
        Map<String, String> own = resource.resourceName().isEmpty() ? Map.of()
                : broker.image().configs().brokerConfigs(resource.resourceName());
        Map<String, String> clusterDefault = broker.image().configs().brokerConfigs("");
        for (DynamicBrokerConfigs.Def def : DynamicBrokerConfigs.all().values()) {
            if (!wanted(resource, def.name())) {
                continue;
            }
            List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
            if (own.containsKey(def.name())) {
                synonyms.add(new DescribeConfigsSynonym().setName(def.name()).setValue(own.get(def.name()))
                        .setSource(TopicConfigView.DYNAMIC_BROKER_CONFIG));
            }
            if (clusterDefault.containsKey(def.name())) {
                synonyms.add(new DescribeConfigsSynonym().setName(def.name())
                        .setValue(clusterDefault.get(def.name()))
                        .setSource(TopicConfigView.DYNAMIC_DEFAULT_BROKER_CONFIG));
            }
            synonyms.add(new DescribeConfigsSynonym().setName(def.name()).setValue(def.defaultValue())
                    .setSource(TopicConfigView.DEFAULT_CONFIG));
            DescribeConfigsSynonym effective = synonyms.get(0);
            DescribeConfigsResourceResult out = new DescribeConfigsResourceResult().setName(def.name())
                    .setValue(effective.value()).setConfigSource(effective.source()).setReadOnly(false)
                    .setIsSensitive(false).setConfigType(configType("LONG"))
                    .setDocumentation(data.includeDocumentation() ? def.doc() : null);
            if (data.includeSynonyms()) {
                out.synonyms().addAll(synonyms);
            }
            result.configs().add(out);
        }
    }

    private static boolean wanted(DescribeConfigsResource resource, String name) {
        List<String> keys = resource.configurationKeys();
        return keys == null || keys.isEmpty() || keys.contains(name);
    }

    /** Kafka's ConfigType codes: BOOLEAN 1, STRING 2, INT 3, SHORT 4, LONG 5, DOUBLE 6, LIST 7, CLASS 8. */
    private static byte configType(String type) {
        return switch (type) {
            case "BOOLEAN" -> 1;
            case "STRING" -> 2;
            case "INT" -> 3;
            case "SHORT" -> 4;
            case "LONG" -> 5;
            case "DOUBLE" -> 6;
            case "LIST" -> 7;
            case "CLASS" -> 8;
            default -> 0;
        };
    }
}
