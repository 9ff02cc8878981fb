package io.spool.bench;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Spool node launched as its own process from the classpath this JVM runs with (the distribution), on free
 * loopback ports, with its output appended to {@code <dir>/spool.log}. Used by one benchmark thread.
 */
public final class SpoolNode {
    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final Map<String, String> overrides;
    private Process process;

    SpoolNode(Path dir) throws IOException {
        this(dir, Map.of());
    }

    public SpoolNode(Path dir, Map<String, String> overrides) throws IOException {
        this.dir = dir;
        this.overrides = new java.util.LinkedHashMap<>(overrides);
        this.port = freePort();
        this.controllerPort = freePort();
        Files.createDirectories(dir);
    }

    public int port() {
        return port;
    }

    /** The port of this node's CONTROLLER listener (its metadata quorum address). */
    public int controllerPort() {
        return controllerPort;
    }

    /** Adds a server setting for the next {@link #launch}. */
    public void override(String name, String value) {
        overrides.put(name, value);
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public void launch() throws IOException {
        List<String> command = new ArrayList<>(launcher());
        command.addAll(List.of("server",
                "--override", "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "--override", "log.dirs=" + dir.resolve("data")));
        overrides.forEach((k, v) -> command.addAll(List.of("--override", k + "=" + v)));
        ProcessBuilder builder = new ProcessBuilder(command);
        // Measure the node, never a rebuild that bin/spool would start because a source file changed.
        builder.environment().put("SPOOL_NO_BUILD", "1");
        process = builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("spool.log").toFile())).start();
    }

    /**
     * Starts nodes the way a user does, through {@code bin/spool} (with its JVM options and class-data archive),
     * when this JVM was itself started by it; otherwise with this JVM's classpath.
     */
    private static List<String> launcher() {
        String home = System.getProperty("spool.home");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "spool"))) {
            return List.of(Path.of(home, "bin", "spool").toString());
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms32m", "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), "io.spool.cli.SpoolCli");
    }

    /** Process id of the node's JVM: bin/spool replaces itself with java, so the launched process is the JVM. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Kills the node with SIGKILL, as a crash would, and waits for the process to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** Stops the node with SIGTERM, which runs its clean shutdown, and waits for it. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("Spool did not stop within 120 s; see " + dir.resolve("spool.log"));
        }
    }

    long dataBytes() throws IOException {
        try (var files = Files.walk(dir.resolve("data"))) {
            return files.filter(Files::isRegularFile).map(Path::toFile).mapToLong(File::length).sum();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
