package io.spool.it;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real Spool node in its own JVM, started from the built distribution ({@code spool-cli/target}) exactly as
 * {@code bin/spool server} starts it, on free loopback ports, with its output in {@code <dir>/spool.log}.
 * Used by one test thread.
 */
final class SpoolProcess implements AutoCloseable {
    private static final Path REPO = locateRepo();

    private final Path dir;
    private final int port;
    private final int controllerPort;
    /** The port of a separate inter-broker listener INTERNAL, or 0 when brokers share PLAINTEXT with clients. */
    private final int internalPort;
    private final Map<String, String> overrides;
    private final List<String> jvmOptions;
    private Process process;

    private SpoolProcess(Path dir, int port, int controllerPort, int internalPort, Map<String, String> overrides,
            List<String> jvmOptions) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.internalPort = internalPort;
        this.overrides = overrides;
        this.jvmOptions = jvmOptions;
    }

    /** Starts a node with its data under {@code dir} and waits until it answers clients. */
    static SpoolProcess start(Path dir, Map<String, String> extraOverrides) {
        return start(dir, extraOverrides, List.of());
    }

    /**
     * Starts a node with extra JVM options (e.g. {@code -Xmx256m}, {@code -XX:MaxDirectMemorySize=128m}); an
     * {@code -Xms} or {@code -Xmx} given here replaces the harness default of that option.
     */
    static SpoolProcess start(Path dir, Map<String, String> extraOverrides, List<String> jvmOptions) {
        Map<String, String> overrides = new LinkedHashMap<>(extraOverrides);
        List<Integer> ports = freePorts(2);
        SpoolProcess node = new SpoolProcess(dir, ports.get(0), ports.get(1), 0, overrides, List.copyOf(jvmOptions));
        node.launch();
        return node;
    }

    /** Starts a node whose brokers talk on their own listener, INTERNAL ({@link #internalPort()}), not PLAINTEXT. */
    static SpoolProcess startWithInternalListener(Path dir) {
        List<Integer> ports = freePorts(3);
        SpoolProcess node = new SpoolProcess(dir, ports.get(0), ports.get(1), ports.get(2), new LinkedHashMap<>(),
                List.of());
        node.launch();
        return node;
    }

    int internalPort() {
        return internalPort;
    }

    static SpoolProcess start(Path dir) {
        return start(dir, Map.of());
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    Path dataDir() {
        return dir.resolve("data");
    }

    Path logFile() {
        return dir.resolve("spool.log");
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The operating-system process id of the running node. */
    long pid() {
        return process.pid();
    }

    /** The node's resident set size in KiB, from {@code /proc/<pid>/status} (Linux only). */
    long residentSetKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("No VmRSS in /proc/" + pid() + "/status");
    }

    /** Runs a {@code jcmd} diagnostic command (e.g. {@code GC.run}, {@code GC.heap_info}) on the node; its output. */
    String jcmd(String command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process tool = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), command).redirectErrorStream(true)
                    .start();
            String output = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!tool.waitFor(30, TimeUnit.SECONDS) || tool.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + command + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running jcmd " + command, e);
        }
    }

    /**
     * Copies the node's log to {@code target/<name>-spool.log} of the test module, where it outlives the test's
     * temporary directory for a post-mortem.
     */
    void keepLog(String name) {
        try {
            Files.copy(logFile(), Path.of("target", name + "-spool.log"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("Cannot keep " + logFile() + ": " + e);
        }
    }

    /** Everything the node has written to its log so far, across restarts. */
    String logText() {
        try {
            return Files.readString(logFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the node with SIGKILL, as a crash would: no flush, no clean-shutdown marker. */
    void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** Stops the node with SIGTERM and waits for its clean shutdown. */
    void stop() {
        process.destroy();
        waitFor();
    }

    /** Starts the node again on the same ports and data. */
    void restart() {
        launch();
    }

    private void waitFor() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(javaBinary()));
        if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Xms"))) {
            command.add("-Xms128m");
        }
        if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Xmx"))) {
            command.add("-Xmx512m");
        }
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath(), "io.spool.cli.SpoolCli", "server"));
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        if (internalPort > 0) {
            settings.put("listeners", settings.get("listeners") + ",INTERNAL://127.0.0.1:" + internalPort);
            settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT");
            settings.put("inter.broker.listener.name", "INTERNAL");
        }
        settings.put("log.dirs", dataDir().toString());
        settings.putAll(overrides);
        settings.forEach((k, v) -> {
            command.add("--override");
            command.add(k + "=" + v);
        });
        try {
            Files.createDirectories(dir);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReady();
    }

    private void awaitReady() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        try (Admin admin = Admin.create(props)) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("Spool exited with " + process.exitValue() + "; see "
                                    + logFile());
                        }
                        return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
                    });
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            stop();
        }
    }

    /** The classpath of the built distribution, as {@code bin/spool} uses it. */
    static String classpath() {
        Path target = REPO.resolve("spool-cli/target");
        if (!Files.exists(target.resolve("spool-cli.jar"))) {
            throw new IllegalStateException("Build the distribution first: " + target + " has no spool-cli.jar");
        }
        return target.resolve("spool-cli.jar") + File.pathSeparator + target.resolve("lib") + File.separator + "*";
    }

    /** The java launcher of the JVM running the tests. */
    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code count} distinct free ports: each is held open until all are chosen, so none is handed out twice. */
    static List<Integer> freePorts(int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0);
                held.add(socket);
                ports.add(socket.getLocalPort());
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // The port is free again either way.
                }
            }
        }
    }

    private static Path locateRepo() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("spool-cli"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("Cannot find the repository root from " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
