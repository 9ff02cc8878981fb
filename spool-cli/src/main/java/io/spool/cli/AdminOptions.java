package io.spool.cli;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of commands that work through the Admin client, and how they open one. */
final class AdminOptions {
    @Mixin
    ClientOptions client;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "30000",
            description = "Give up (exit 1) when the broker has not answered within this time (default: ${DEFAULT-VALUE}).")
    int timeoutMs;

    CliException failure(Throwable t) {
        return client.failure(t, timeoutMs);
    }

    Admin open() {
        if (timeoutMs <= 0) {
            throw CliException.usage("--timeout-ms must be positive");
        }
        Properties props = client.clientProperties(Map.of(
                "client.id", "spool-cli-admin",
                "default.api.timeout.ms", String.valueOf(timeoutMs),
                "request.timeout.ms", String.valueOf(Math.min(timeoutMs, 30_000))), List.of(), "");
        return Admin.create(props);
    }
}
