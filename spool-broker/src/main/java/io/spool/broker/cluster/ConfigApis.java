package io.spool.broker.cluster;

import io.spool.metadata.AlterConfigsResult;
import io.spool.metadata.ConfigOp;
import io.spool.metadata.ConfigResourceId;
import io.spool.metadata.ConfigResourceType;
import io.spool.metadata.Controller;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The controller's side of IncrementalAlterConfigs (API 44) and AlterConfigs (API 33): the resources a broker
 * forwarded after its own checks ({@code io.spool.broker.handler.AlterConfigsHandler}) become one
 * {@link Controller} call, its results a response with one entry per resource. A resource type other than TOPIC (2)
 * or BROKER (4), or an unknown operation, is answered INVALID_REQUEST here; everything else is the controller's (see
 * {@code ConfigControl}). Stateless.
 */
final class ConfigApis {
    static final byte TOPIC = 2;
    static final byte BROKER = 4;

    private ConfigApis() {
    }

    static CompletableFuture<IncrementalAlterConfigsResponseData> incrementalAlterConfigs(Controller controller,
            IncrementalAlterConfigsRequestData data) {
        Map<ConfigResourceId, List<ConfigOp>> changes = new LinkedHashMap<>();
        Map<ConfigResourceId, String> refused = new LinkedHashMap<>();
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource r : data.resources()) {
            Optional<ConfigResourceId> id = resourceId(r.resourceType(), r.resourceName());
            if (id.isEmpty()) {
                continue;
            }
            List<ConfigOp> ops = new ArrayList<>();
            for (IncrementalAlterConfigsRequestData.AlterableConfig c : r.configs()) {
                Optional<ConfigOp.Kind> kind = ConfigOp.Kind.fromId(c.configOperation());
                if (kind.isEmpty()) {
                    refused.put(id.get(), "Unknown operations type " + c.configOperation());
                    break;
                }
                ops.add(new ConfigOp(c.name(), kind.get(), c.value()));
            }
            if (!refused.containsKey(id.get())) {
                changes.put(id.get(), ops);
            }
        }
        return controller.incrementalAlterConfigs(changes, data.validateOnly()).thenApply(results -> {
            Map<ConfigResourceId, AlterConfigsResult> byId = byId(results);
            IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
            for (IncrementalAlterConfigsRequestData.AlterConfigsResource r : data.resources()) {
                ErrorAndMessage outcome = outcome(r.resourceType(), r.resourceName(), byId, refused);
                response.responses().add(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                        .setResourceType(r.resourceType()).setResourceName(r.resourceName())
                        .setErrorCode(outcome.error().code()).setErrorMessage(outcome.message()));
            }
            return response;
        });
    }

    static CompletableFuture<AlterConfigsResponseData> alterConfigs(Controller controller,
            AlterConfigsRequestData data) {
        Map<ConfigResourceId, Map<String, String>> configs = new LinkedHashMap<>();
        for (AlterConfigsRequestData.AlterConfigsResource r : data.resources()) {
            resourceId(r.resourceType(), r.resourceName()).ifPresent(id -> {
                Map<String, String> values = new LinkedHashMap<>();
                r.configs().forEach(c -> values.put(c.name(), c.value()));
                configs.put(id, values);
            });
        }
        return controller.alterConfigs(configs, data.validateOnly()).thenApply(results -> {
            Map<ConfigResourceId, AlterConfigsResult> byId = byId(results);
            AlterConfigsResponseData response = new AlterConfigsResponseData();
            for (AlterConfigsRequestData.AlterConfigsResource r : data.resources()) {
                ErrorAndMessage outcome = outcome(r.resourceType(), r.resourceName(), byId, Map.of());
                response.responses().add(new AlterConfigsResponseData.AlterConfigsResourceResponse()
                        .setResourceType(r.resourceType()).setResourceName(r.resourceName())
                        .setErrorCode(outcome.error().code()).setErrorMessage(outcome.message()));
            }
            return response;
        });
    }

    private record ErrorAndMessage(Errors error, String message) {
    }

    private static ErrorAndMessage outcome(byte type, String name, Map<ConfigResourceId, AlterConfigsResult> byId,
            Map<ConfigResourceId, String> refused) {
        Optional<ConfigResourceId> id = resourceId(type, name);
        if (id.isEmpty()) {
            return new ErrorAndMessage(Errors.INVALID_REQUEST, "Unknown resource type " + type);
        }
        if (refused.containsKey(id.get())) {
            return new ErrorAndMessage(Errors.INVALID_REQUEST, refused.get(id.get()));
        }
        AlterConfigsResult result = byId.get(id.get());
        return result == null ? new ErrorAndMessage(Errors.UNKNOWN_SERVER_ERROR, null)
                : new ErrorAndMessage(result.error(), result.message());
    }

    private static Map<ConfigResourceId, AlterConfigsResult> byId(List<AlterConfigsResult> results) {
        Map<ConfigResourceId, AlterConfigsResult> byId = new LinkedHashMap<>();
        results.forEach(r -> byId.put(r.resource(), r));
        return byId;
    }

    private static Optional<ConfigResourceId> resourceId(byte type, String name) {
        if (name == null) {
            return Optional.empty();
        }
        return switch (type) {
            case TOPIC -> Optional.of(new ConfigResourceId(ConfigResourceType.TOPIC, name));
            case BROKER -> Optional.of(new ConfigResourceId(ConfigResourceType.BROKER, name));
            default -> Optional.empty();
        };
    }
}
