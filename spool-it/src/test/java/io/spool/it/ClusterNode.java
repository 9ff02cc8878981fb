package io.spool.it;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * One Spool node of a {@link SpoolCluster}: a {@code spool server} JVM started from the built distribution with a
 * fixed id, ports and data directory, so that it can be killed, paused and started again as the same node. Its
 * output goes to {@code <dir>/spool.log}, appended across restarts with a harness line before each start. Unlike
 * {@link SpoolProcess} a launch does not wait for the node: a node of a larger quorum waits at start for a majority
 * of voters, so the cluster launches all of them before waiting. Used by one test thread.
 */
final class ClusterNode {
    private final int id;
    private final Path dir;
    private final String host;
    private final List<String> launcher;
    private final int port;
    private final int controllerPort;
    private final Map<String, String> settings;
    private final List<String> jvmOptions;
    private Process process;
    private boolean paused;
    private int starts;

    ClusterNode(int id, Path dir, int port, int controllerPort, Map<String, String> settings,
            List<String> jvmOptions) {
        this(id, dir, "127.0.0.1", List.of(), port, controllerPort, settings, jvmOptions);
    }

    /**
     * A node whose listeners are on {@code host}, started by {@code launcher} followed by the java command (empty to
     * start it directly; {@code ip netns exec <namespace>} to start it in a {@link NetworkLab}).
     */
    ClusterNode(int id, Path dir, String host, List<String> launcher, int port, int controllerPort,
            Map<String, String> settings, List<String> jvmOptions) {
        this.id = id;
        this.dir = dir;
        this.host = host;
        this.launcher = List.copyOf(launcher);
        this.port = port;
        this.controllerPort = controllerPort;
        this.settings = Map.copyOf(settings);
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    int id() {
        return id;
    }

    int port() {
        return port;
    }

    int controllerPort() {
        return controllerPort;
    }

    String host() {
        return host;
    }

    String bootstrap() {
        return host + ":" + port;
    }

    Path dataDir() {
        return dir.resolve("data");
    }

    Path logFile() {
        return dir.resolve("spool.log");
    }

    /** The process is running (possibly paused). */
    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Running and not paused: it can answer requests. */
    boolean isServing() {
        return isAlive() && !paused;
    }

    boolean isPaused() {
        return paused;
    }

    long pid() {
        return process.pid();
    }

    /** The exit code of the last process, or -1 while it runs (or never ran). */
    int exitCode() {
        return process == null || process.isAlive() ? -1 : process.exitValue();
    }

    /** Starts the JVM without waiting for it to serve. */
    void launch() {
        if (isAlive()) {
            throw new IllegalStateException("Node " + id + " is already running as pid " + pid());
        }
        List<String> command = new ArrayList<>(launcher);
        command.add(SpoolProcess.javaBinary());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", SpoolProcess.classpath(), "io.spool.cli.SpoolCli", "server"));
        Map<String, String> all = new LinkedHashMap<>();
        all.put("node.id", Integer.toString(id));
        all.put("log.dirs", dataDir().toString());
        all.putAll(settings);
        all.forEach((k, v) -> {
            command.add("--override");
            command.add(k + "=" + v);
        });
        try {
            Files.createDirectories(dir);
            starts++;
            Files.writeString(logFile(), "=== spool-it: start " + starts + " of node " + id + " at " + Instant.now()
                    + ": " + String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile())).start();
            paused = false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL, as a crash would (a paused node dies too), and waits for the process to be gone. */
    void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(30));
        paused = false;
    }

    /** SIGSTOP: the process stays, its sockets stay open, it answers nothing until {@link #resume}. */
    void pause() {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT after {@link #pause}. */
    void resume() {
        signal("CONT");
        paused = false;
    }

    /** Sends SIGTERM (after SIGCONT if paused) without waiting; see {@link #awaitExit}. */
    void terminate() {
        if (isAlive()) {
            if (paused) {
                resume();
            }
            process.destroy();
        }
    }

    /** Waits for the process to exit after {@link #terminate}, killing it if it takes longer than {@code limit}. */
    void awaitExit(Duration limit) {
        if (process != null && !waitFor(limit)) {
            kill();
        }
    }

    /** Waits up to {@code limit} for the process to exit on its own; true when it has (or was never started). */
    boolean waitForExit(Duration limit) {
        return process == null || waitFor(limit);
    }

    private boolean waitFor(Duration limit) {
        try {
            return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void signal(String name) {
        if (!isAlive()) {
            throw new IllegalStateException("Node " + id + " is not running");
        }
        ExternalCommand.runAdmin(List.of("kill", "-" + name, Long.toString(pid())), null);
    }

    /**
     * Asks this node itself (not whichever node a client would pick) for its view of the cluster: a Metadata
     * request for no topics, over a raw connection.
     *
     * @throws RuntimeException or {@link AssertionError} when the node does not answer in time
     */
    MetadataResponseData metadata(Duration timeout) {
        try (WireConnection connection = WireConnection.open(host, port, timeout)) {
            return connection.request(ApiKeys.METADATA, (short) 12, 1,
                    new MetadataRequestData().setTopics(List.of()).setAllowAutoTopicCreation(false));
        }
    }

    /** The last {@code bytes} bytes of the node's log (from a line start), for a post-mortem. */
    String logTail(int bytes) {
        if (!Files.exists(logFile())) {
            return "(no log)";
        }
        try (RandomAccessFile file = new RandomAccessFile(logFile().toFile(), "r")) {
            long start = Math.max(0, file.length() - bytes);
            byte[] tail = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(tail);
            String text = new String(tail, StandardCharsets.UTF_8);
            int firstLine = start == 0 ? 0 : text.indexOf('\n') + 1;
            return text.substring(firstLine);
        } catch (IOException e) {
            return "(cannot read " + logFile() + ": " + e + ")";
        }
    }

    @Override
    public String toString() {
        return "node " + id + " (" + bootstrap() + (isAlive() ? ", pid " + pid() + (paused ? ", paused" : "")
                : ", down") + ")";
    }
}
