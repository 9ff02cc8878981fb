package io.spool.broker.network;

import io.spool.protocol.KafkaRequest;
import io.spool.protocol.SupportedApis;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Routes each request to the handler of its API and answers ApiVersions itself, including the KIP-511 reply to a
 * version it does not know. The table of handlers is also the table of what ApiVersions advertises. Immutable.
 */
public final class RequestDispatcher {
    private final Map<ApiKeys, RequestHandler> handlers;
    private final SupportedApis supported;

    private RequestDispatcher(Map<ApiKeys, RequestHandler> handlers, SupportedApis supported) {
        this.handlers = handlers;
        this.supported = supported;
    }

    public static Builder builder() {
        return new Builder();
    }

    public SupportedApis supportedApis() {
        return supported;
    }

    CompletionStage<ApiMessage> dispatch(KafkaRequest request, ConnectionInfo connection) {
        if (request.isUnsupportedApiVersions()) {
            return CompletableFuture.completedFuture(supported.toResponse(Errors.UNSUPPORTED_VERSION.code()));
        }
        RequestHandler handler = handlers.get(request.apiKey());
        if (handler == null) {
            throw new IllegalStateException("No handler for " + request.apiKey());
        }
        return handler.handle(request, connection);
    }

    /** Registers handlers with the versions each serves. */
    public static final class Builder {
        private final Map<ApiKeys, RequestHandler> handlers = new EnumMap<>(ApiKeys.class);
        private final SupportedApis.Builder supported = SupportedApis.builder();

        public Builder register(ApiKeys key, int minVersion, int maxVersion, RequestHandler handler) {
            supported.add(key, minVersion, maxVersion);
            handlers.put(key, handler);
            return this;
        }

        /** Advertises ApiVersions itself; its answer is the table this builder collects. */
        public Builder apiVersions(int minVersion, int maxVersion) {
            supported.add(ApiKeys.API_VERSIONS, minVersion, maxVersion);
            return this;
        }

        public RequestDispatcher build() {
            SupportedApis apis = supported.build();
            Map<ApiKeys, RequestHandler> table = new EnumMap<>(handlers);
            table.put(ApiKeys.API_VERSIONS, (request, connection) -> CompletableFuture.completedFuture(
                    ClientSoftware.isValid(request.body(), request.apiVersion()) ? apis.toResponse(Errors.NONE.code())
                            : new ApiVersionsResponseData().setErrorCode(Errors.INVALID_REQUEST.code())));
            return new RequestDispatcher(table, apis);
        }
    }
}
