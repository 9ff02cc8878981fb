package io.spool.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;

/**
 * A Kafka Connect distributed worker in the test JVM, started as {@code connect-distributed.sh} starts one, with its
 * REST API on a free loopback port and {@link org.apache.kafka.connect.json.JsonConverter} for keys and values.
 * Used by one test thread.
 */
final class ConnectWorker implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final Connect<DistributedHerder> connect;
    private final URI rest;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private boolean stopped;

    private ConnectWorker(Connect<DistributedHerder> connect, URI rest) {
        this.connect = connect;
        this.rest = rest;
    }

    /**
     * Starts a worker of the Connect cluster {@code groupId}, its configs, offsets and statuses in the compacted
     * topics {@code <groupId>-configs}, {@code -offsets} and {@code -status}, which it creates if absent. Source
     * offsets are flushed and sink offsets committed every {@code offset.flush.interval.ms}, given in
     * {@code extra} or 500 ms.
     */
    static ConnectWorker start(String bootstrap, String groupId, Map<String, String> extra) {
        // The CLI calls Exit.exit(3) when the worker fails to start; here that must fail the test, not end the JVM.
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("Connect worker exited with " + code + ": " + message);
        });
        int port = SpoolProcess.freePort();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("bootstrap.servers", bootstrap);
        settings.put("group.id", groupId);
        settings.put("listeners", "http://127.0.0.1:" + port);
        settings.put("rest.advertised.host.name", "127.0.0.1");
        settings.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        settings.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        settings.put("config.storage.topic", groupId + "-configs");
        settings.put("offset.storage.topic", groupId + "-offsets");
        settings.put("status.storage.topic", groupId + "-status");
        settings.put("config.storage.replication.factor", "1");
        settings.put("offset.storage.replication.factor", "1");
        settings.put("status.storage.replication.factor", "1");
        settings.put("offset.storage.partitions", "3");
        settings.put("status.storage.partitions", "1");
        settings.put("offset.flush.interval.ms", "500");
        // A worker that replaces one that left gets its connectors and tasks at once rather than after 5 minutes.
        settings.put("scheduled.rebalance.max.delay.ms", "0");
        // The connectors are on the classpath with their ServiceLoader manifests: no reflective scan of every jar.
        settings.put("plugin.discovery", "service_load");
        settings.putAll(extra);
        Connect<DistributedHerder> connect = new ConnectDistributed().startConnect(settings);
        return new ConnectWorker(connect, URI.create("http://127.0.0.1:" + port + "/"));
    }

    /**
     * Creates or updates a connector with {@code PUT /connectors/<name>/config}; the HTTP status. A worker that has
     * not joined its cluster yet answers 409 or 5xx, so callers retry until 200 or 201.
     */
    int putConnector(String name, Map<String, String> config) {
        try {
            HttpRequest request = HttpRequest.newBuilder(rest.resolve("connectors/" + name + "/config"))
                    .timeout(REQUEST_TIMEOUT).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(config))).build();
            return send(request).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code GET /connectors/<name>/status} shows the connector and all its tasks (at least one) RUNNING. */
    boolean isRunning(String name) throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(rest.resolve("connectors/" + name + "/status"))
                .timeout(REQUEST_TIMEOUT).GET().build());
        if (response.statusCode() != 200) {
            return false;
        }
        JsonNode status = JSON.readTree(response.body());
        JsonNode tasks = status.path("tasks");
        boolean running = "RUNNING".equals(status.path("connector").path("state").asText()) && tasks.size() > 0;
        for (JsonNode task : tasks) {
            String state = task.path("state").asText();
            if ("FAILED".equals(state)) {
                throw new IllegalStateException("Task of " + name + " failed: " + task.path("trace").asText());
            }
            running &= "RUNNING".equals(state);
        }
        return running;
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during " + request, e);
        }
    }

    /**
     * Stops the worker cleanly: its tasks stop, the source task's offsets are flushed and the sink task's offsets
     * committed, and it leaves the group.
     */
    void stop() {
        if (!stopped) {
            stopped = true;
            connect.stop();
            connect.awaitStop();
        }
    }

    @Override
    public void close() {
        stop();
        Exit.resetExitProcedure();
    }
}
