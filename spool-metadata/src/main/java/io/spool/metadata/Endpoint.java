package io.spool.metadata;

import java.util.Objects;

/** One listener of a broker as it registered it: the listener name, the advertised host and the port. */
public record Endpoint(String listener, String host, int port) {
    public Endpoint {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(host, "host");
    }
}
