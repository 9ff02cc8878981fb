package io.spool.broker.handler;

import io.spool.broker.ServerConfig;
import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.metadata.DynamicBrokerConfigs;
import io.spool.protocol.KafkaRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * IncrementalAlterConfigs (API 44) and AlterConfigs (API 33): first this broker's own checks, as Kafka's broker
 * does before it forwards (ConfigAdminManager.preprocess), then the rest sent on to the active controller, which
 * validates the configs and commits them as ConfigRecords (see ControllerApis); the two answers are merged in
 * request order.
 *
 * <p>Errors of this broker's checks, per resource, all INVALID_REQUEST: a resource named twice, a config named twice
 * in a resource, a null value other than for DELETE, a resource type other than TOPIC or BROKER (BROKER_LOGGER is
 * not supported), a broker resource that names another broker or no number, a static broker setting ("Cannot update
 * these configs dynamically"). The controller's: INVALID_CONFIG, INVALID_REQUEST, INVALID_TOPIC_EXCEPTION,
 * UNKNOWN_TOPIC_OR_PARTITION; NOT_CONTROLLER when no controller answered.
 */
public final class AlterConfigsHandler implements RequestHandler {
    private static final byte TOPIC = 2;
    private static final byte BROKER = 4;

    private final BrokerContext broker;

    public AlterConfigsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    /** One resource as both APIs name it: its type, its name and its (name, value, operation) configs. */
    private record Resource(byte type, String name, List<String> names, List<String> values, List<Byte> ops) {
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        if (request.apiKey() == ApiKeys.INCREMENTAL_ALTER_CONFIGS) {
            return incremental(request);
        }
        return legacy(request);
    }

    private CompletionStage<ApiMessage> incremental(KafkaRequest request) {
        IncrementalAlterConfigsRequestData data = request.body();
        List<Resource> resources = new ArrayList<>();
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource r : data.resources()) {
            List<String> names = new ArrayList<>();
            List<String> values = new ArrayList<>();
            List<Byte> ops = new ArrayList<>();
            r.configs().forEach(c -> {
                names.add(c.name());
                values.add(c.value());
                ops.add(c.configOperation());
            });
            resources.add(new Resource(r.resourceType(), r.resourceName(), names, values, ops));
        }
        Map<Integer, String> refused = preprocess(resources);
        List<IncrementalAlterConfigsRequestData.AlterConfigsResource> original = new ArrayList<>(data.resources());
        IncrementalAlterConfigsRequestData forward = new IncrementalAlterConfigsRequestData()
                .setValidateOnly(data.validateOnly());
        for (int i = 0; i < resources.size(); i++) {
            if (!refused.containsKey(i)) {
                forward.resources().add(original.get(i).duplicate());
            }
        }
        return outcomes(request, forward, forward.resources().isEmpty(), resources, refused, answer -> {
            Map<String, Outcome> byKey = new HashMap<>();
            ((IncrementalAlterConfigsResponseData) answer).responses().forEach(r ->
                    byKey.put(key(r.resourceType(), r.resourceName()), new Outcome(r.errorCode(), r.errorMessage())));
            return byKey;
        }).thenApply(outcomes -> {
            IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
            for (int i = 0; i < resources.size(); i++) {
                response.responses().add(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                        .setResourceType(resources.get(i).type()).setResourceName(resources.get(i).name())
                        .setErrorCode(outcomes.get(i).code()).setErrorMessage(outcomes.get(i).message()));
            }
            return (ApiMessage) response;
        });
    }

    private CompletionStage<ApiMessage> legacy(KafkaRequest request) {
        AlterConfigsRequestData data = request.body();
        List<Resource> resources = new ArrayList<>();
        for (AlterConfigsRequestData.AlterConfigsResource r : data.resources()) {
            List<String> names = new ArrayList<>();
            List<String> values = new ArrayList<>();
            List<Byte> ops = new ArrayList<>();
            r.configs().forEach(c -> {
                names.add(c.name());
                values.add(c.value());
                ops.add((byte) 0);
            });
            resources.add(new Resource(r.resourceType(), r.resourceName(), names, values, ops));
        }
        Map<Integer, String> refused = preprocess(resources);
        List<AlterConfigsRequestData.AlterConfigsResource> original = new ArrayList<>(data.resources());
        AlterConfigsRequestData forward = new AlterConfigsRequestData().setValidateOnly(data.validateOnly());
        for (int i = 0; i < resources.size(); i++) {
            if (!refused.containsKey(i)) {
                forward.resources().add(original.get(i).duplicate());
            }
        }
        return outcomes(request, forward, forward.resources().isEmpty(), resources, refused, answer -> {
            Map<String, Outcome> byKey = new HashMap<>();
            ((AlterConfigsResponseData) answer).responses().forEach(r ->
                    byKey.put(key(r.resourceType(), r.resourceName()), new Outcome(r.errorCode(), r.errorMessage())));
            return byKey;
        }).thenApply(outcomes -> {
            AlterConfigsResponseData response = new AlterConfigsResponseData();
            for (int i = 0; i < resources.size(); i++) {
                response.responses().add(new AlterConfigsResponseData.AlterConfigsResourceResponse()
                        .setResourceType(resources.get(i).type()).setResourceName(resources.get(i).name())
                        .setErrorCode(outcomes.get(i).code()).setErrorMessage(outcomes.get(i).message()));
            }
            return (ApiMessage) response;
        });
    }

    /** One resource's answer: an error code and message. */
    private record Outcome(short code, String message) {
    }

    /**
     * Sends {@code forward} (the resources this broker did not refuse) to the active controller unless it is
     * {@code empty}, and gives each resource's outcome in request order: INVALID_REQUEST with the reason for one
     * this broker refused, the controller's answer for the others, NOT_CONTROLLER when no controller answered.
     */
    private CompletableFuture<List<Outcome>> outcomes(KafkaRequest request, ApiMessage forward, boolean empty,
            List<Resource> resources, Map<Integer, String> refused,
            Function<ApiMessage, Map<String, Outcome>> byKey) {
        CompletableFuture<Map<String, Outcome>> answer = empty ? CompletableFuture.completedFuture(Map.of())
                : broker.controller().call(request.apiKey(), request.apiVersion(), forward, 30_000).thenApply(byKey)
                        .exceptionally(error -> Map.of());
        return answer.thenApply(fromController -> {
            List<Outcome> outcomes = new ArrayList<>();
            for (int i = 0; i < resources.size(); i++) {
                Resource r = resources.get(i);
                Outcome controllerOutcome = fromController.get(key(r.type(), r.name()));
                if (refused.containsKey(i)) {
                    outcomes.add(new Outcome(Errors.INVALID_REQUEST.code(), refused.get(i)));
                } else if (controllerOutcome != null) {
                    outcomes.add(controllerOutcome);
                } else {
                    // The response's default message.
                    outcomes.add(new Outcome(Errors.NOT_CONTROLLER.code(), ""));
                }
            }
            return outcomes;
        });
    }

    private static String key(byte type, String name) {
        return type + "/" + name;
    }

    /** This broker's checks; the index of every refused resource with why. */
    private Map<Integer, String> preprocess(List<Resource> resources) {
        Map<Integer, String> refused = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < resources.size(); i++) {
            Integer earlier = seen.put(key(resources.get(i).type(), resources.get(i).name()), i);
            if (earlier != null) {
                refused.put(earlier, "Each resource must appear at most once.");
                refused.put(i, "Each resource must appear at most once.");
            }
        }
        for (int i = 0; i < resources.size(); i++) {
            if (!refused.containsKey(i)) {
                final int index = i;
                check(resources.get(i)).ifPresent(reason -> refused.put(index, reason));
            }
        }
        return refused;
    }

    private Optional<String> check(Resource r) {
        if (new HashSet<>(r.names()).size() != r.names().size()) {
            return Optional.of("Error due to duplicate config keys");
        }
        List<String> nulls = new ArrayList<>();
        for (int i = 0; i < r.names().size(); i++) {
            if (r.values().get(i) == null && r.ops().get(i) != 1) {
                nulls.add(r.names().get(i));
            }
        }
        if (!nulls.isEmpty()) {
            return Optional.of("Null value not supported for : " + String.join(", ", nulls));
        }
        if (r.type() == TOPIC) {
            return Optional.empty();
        }
        if (r.type() != BROKER) {
            return Optional.of("Unknown resource type " + r.type());
        }
        if (!r.name().isEmpty()) {
            try {
                if (Integer.parseInt(r.name()) != broker.nodeId()) {
                    return Optional.of("Unexpected broker id, expected " + broker.nodeId() + ", but received "
                            + r.name());
                }
            } catch (NumberFormatException e) {
                return Optional.of("Node id must be an integer, but it is: " + r.name());
            }
        }
        TreeSet<String> staticOnly = new TreeSet<>();
        for (String name : r.names()) {
            if (ServerConfig.settings().containsKey(name) && !DynamicBrokerConfigs.isDynamic(name)) {
                staticOnly.add(name);
            }
        }
        return staticOnly.isEmpty() ? Optional.empty()
                : Optional.of("Cannot update these configs dynamically: " + staticOnly);
    }
}
