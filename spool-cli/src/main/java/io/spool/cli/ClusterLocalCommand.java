package io.spool.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spool cluster local}: starts a cluster on this machine, one {@code spool server} process per node, and runs
 * until interrupted, then stops the nodes cleanly. By default each of the {@code --nodes} nodes is a broker and a
 * voter of the metadata quorum; with {@code --controllers C} the quorum is C dedicated controllers
 * ({@code process.roles=controller}) and the {@code --nodes} nodes are brokers only, as a KRaft deployment with
 * separate controllers. Node {@code i} (from 1; the brokers first, then the controllers) listens for clients on
 * {@code base-port + 2(i-1)} (a controller does not) and for the quorum on the port after it, and keeps its data in
 * {@code <data-dir>/node-i} and its log in {@code <data-dir>/node-i.log}.
 */
@Command(name = "local", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Start a cluster of several nodes on this machine (loopback) and run until interrupted.")
final class ClusterLocalCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Option(names = "--nodes", defaultValue = "3",
            description = "Number of brokers (1 to 9; default ${DEFAULT-VALUE}); each is also a controller unless"
                    + " --controllers is given.")
    int nodes;

    @Option(names = "--controllers", defaultValue = "0",
            description = "Number of dedicated controllers (0 to 9; default ${DEFAULT-VALUE}: every broker is also a"
                    + " controller). Use an odd number, such as 3.")
    int controllers;

    @Option(names = "--data-dir", defaultValue = "./cluster-data",
            description = "Directory for the nodes' data and logs (default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--base-port", defaultValue = "9092",
            description = "Client port of node 1; node i uses base+2(i-1), its quorum port the one after "
                    + "(default ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--override", paramLabel = "KEY=VALUE", description = "A server setting for every node.")
    Map<String, String> overrides = new java.util.LinkedHashMap<>();

    ClusterLocalCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        validate();
        Files.createDirectories(dataDir);
        int total = nodes + controllers;
        StringBuilder voters = new StringBuilder();
        StringBuilder bootstrap = new StringBuilder();
        for (int i = 1; i <= total; i++) {
            if (isVoter(i)) {
                voters.append(voters.length() == 0 ? "" : ",").append(i).append('@').append(host).append(':')
                        .append(quorumPort(i));
            }
            if (i <= nodes) {
                bootstrap.append(i == 1 ? "" : ",").append(host).append(':').append(clientPort(i));
            }
        }
        List<Process> processes = new ArrayList<>();
        Thread stopper = new Thread(() -> stopAll(processes), "spool-cluster-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        for (int i = 1; i <= total; i++) {
            File log = dataDir.resolve("node-" + i + ".log").toFile();
            processes.add(new ProcessBuilder(command(i, voters.toString())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start());
        }
        terminal.out().println("Started " + (controllers == 0 ? nodes + " node(s)"
                : nodes + " broker(s) and " + controllers + " controller(s)") + "; logs in "
                + dataDir.toAbsolutePath());
        terminal.out().println("bootstrap.servers=" + bootstrap);
        terminal.out().flush();
        for (Process p : processes) {
            p.waitFor();
        }
        int failed = 0;
        for (int i = 0; i < processes.size(); i++) {
            if (processes.get(i).exitValue() != 0) {
                terminal.err().println("Node " + (i + 1) + " exited with " + processes.get(i).exitValue() + "; see "
                        + dataDir.resolve("node-" + (i + 1) + ".log"));
                failed++;
            }
        }
        return failed == 0 ? SpoolCli.EXIT_OK : SpoolCli.EXIT_FAILED;
    }

    private void validate() {
        if (nodes < 1 || nodes > 9) {
            throw new CliException(SpoolCli.EXIT_USAGE, "--nodes must be between 1 and 9, not " + nodes);
        }
        if (controllers < 0 || controllers > 9) {
            throw new CliException(SpoolCli.EXIT_USAGE, "--controllers must be between 0 and 9, not " + controllers);
        }
        if (basePort < 1 || basePort + 2 * (nodes + controllers) > 65535) {
            throw new CliException(SpoolCli.EXIT_USAGE, "--base-port " + basePort + " leaves no room for "
                    + (nodes + controllers) + " nodes");
        }
    }

    /** The command line of node {@code i}: a broker and controller, a broker only, or a controller only. */
    List<String> command(int i, String voters) {
        String roles = controllers == 0 ? "broker,controller" : i <= nodes ? "broker" : "controller";
        String quorumListener = "CONTROLLER://" + host + ":" + quorumPort(i);
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xms32m", "-Xmx1g", "-cp",
                System.getProperty("java.class.path"), SpoolCli.class.getName(), "server",
                "--override", "node.id=" + i,
                "--override", "process.roles=" + roles,
                "--override", "listeners=" + (i <= nodes ? "PLAINTEXT://" + host + ":" + clientPort(i) + ","
                        : "") + quorumListener,
                "--override", "controller.quorum.voters=" + voters,
                "--override", "log.dirs=" + dataDir.resolve("node-" + i).toAbsolutePath()));
        overrides.forEach((k, v) -> {
            command.add("--override");
            command.add(k + "=" + v);
        });
        return command;
    }

    private boolean isVoter(int node) {
        return controllers == 0 || node > nodes;
    }

    private int clientPort(int node) {
        return basePort + 2 * (node - 1);
    }

    private int quorumPort(int node) {
        return clientPort(node) + 1;
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** Stops every node with SIGTERM (a clean shutdown) and waits for them. */
    private static void stopAll(List<Process> processes) {
        processes.forEach(Process::destroy);
        for (Process p : processes) {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
