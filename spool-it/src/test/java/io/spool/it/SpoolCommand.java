package io.spool.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code spool} command from the built distribution, each run in its own JVM exactly as {@code bin/spool} runs
 * it, pointed at one node. Immutable.
 */
final class SpoolCommand {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path scratch;
    private final String bootstrap;

    /**
     * @param scratch   where each run's stdin, stdout and stderr files go
     * @param bootstrap the node that {@link #client} commands talk to
     */
    SpoolCommand(Path scratch, String bootstrap) {
        this.scratch = scratch;
        this.bootstrap = bootstrap;
    }

    /** Runs {@code spool args...} with {@code stdin} as its input, and no other argument added. */
    ExternalCommand.Result run(String stdin, String... args) {
        // A short-lived client JVM: C1 only and the serial collector start faster and leave the CPU to the node.
        List<String> command = new ArrayList<>(List.of(SpoolProcess.javaBinary(), "-Xms32m", "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", SpoolProcess.classpath(),
                "io.spool.cli.SpoolCli"));
        command.addAll(List.of(args));
        return ExternalCommand.run(scratch, command, stdin, TIMEOUT);
    }

    /**
     * Runs a client command ({@code topic ...}, {@code produce}, {@code consume}) against the node, with
     * {@code stdin} as its input.
     */
    ExternalCommand.Result clientWithInput(String stdin, String... args) {
        List<String> withBootstrap = new ArrayList<>(List.of(args));
        withBootstrap.addAll(List.of("--bootstrap-server", bootstrap));
        return run(stdin, withBootstrap.toArray(String[]::new));
    }

    /** Like {@link #clientWithInput} with nothing on stdin. */
    ExternalCommand.Result client(String... args) {
        return clientWithInput("", args);
    }
}
