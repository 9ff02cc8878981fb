package io.spool.cli;

import io.spool.broker.InvalidConfigException;
import io.spool.broker.ServerConfig;
import io.spool.broker.SpoolServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spool server}: starts one node from a Kafka-style server.properties plus overrides and runs it until the
 * process is told to stop (SIGTERM/Ctrl-C) or, in-process, until the calling thread is interrupted.
 */
@Command(name = "server", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Start a Spool node.",
            "With no configuration it listens on 127.0.0.1:9092 (clients) and 127.0.0.1:9093 (controller) and "
                + "keeps its data in ./data."})
final class ServerCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServerCommand.class);

    private final Terminal terminal;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "A server.properties file.")
    Path configOption;

    @Parameters(arity = "0..1", paramLabel = "FILE",
            description = "The server.properties file, as kafka-server-start takes it (same as --config).")
    Path configPositional;

    @Option(names = "--override", paramLabel = "KEY=VALUE",
            description = "Set a property, replacing the file's value. Repeatable.")
    List<String> overrides = new ArrayList<>();

    /**
     * bin/spool runs this once after a build, under -XX:ArchiveClassesAtExit, so that the class-data archive holds
     * every class a start loads and the very first real start is already fast.
     */
    @Option(names = "--cds-training", hidden = true,
            description = "Start on free loopback ports in a temporary directory, then stop at once.")
    boolean cdsTraining;

    ServerCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    /** A {@code spool server} command line parsed without picocli, and whether it asked for {@code --verbose}. */
    record Parsed(ServerCommand command, boolean verbose) {
    }

    /**
     * Parses {@code server} and its arguments without picocli when they hold nothing but a configuration file (as
     * an argument or with {@code -c}/{@code --config}), {@code --override}s, {@code --verbose} and
     * {@code --cds-training}, each in its plain form; returns null for anything else (help, version, mistakes,
     * {@code @argument} files), which picocli then parses and answers. It sets the fields picocli would set.
     *
     * <p>Picocli's classes are Java 5 class files, which a class-data archive cannot hold, so building its command
     * model took a start some 150-200 ms of loading, verifying and interpreting them, about a sixth of the time to
     * the first answered request.
     */
    static Parsed parseSimple(String[] args, Terminal terminal) {
        if (args.length == 0 || !args[0].equals("server")) {
            return null;
        }
        ServerCommand command = new ServerCommand(terminal);
        boolean verbose = false;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (arg.equals("--verbose") && !verbose) {
                verbose = true;
            } else if (arg.equals("--cds-training") && !command.cdsTraining) {
                command.cdsTraining = true;
            } else if ((arg.equals("-c") || arg.equals("--config")) && plainValue(value)
                    && command.configOption == null) {
                command.configOption = Path.of(value);
                i++;
            } else if (arg.startsWith("--config=") && plainValue(arg.substring(9)) && command.configOption == null) {
                command.configOption = Path.of(arg.substring(9));
            } else if (arg.equals("--override") && plainValue(value)) {
                command.overrides.add(value);
                i++;
            } else if (arg.startsWith("--override=") && plainValue(arg.substring(11))) {
                command.overrides.add(arg.substring(11));
            } else if (plainValue(arg) && command.configPositional == null) {
                command.configPositional = Path.of(arg);
            } else {
                return null;
            }
        }
        return new Parsed(command, verbose);
    }

    /** A value picocli takes as it is: not empty, not option-like, not an argument file, not a bad path. */
    private static boolean plainValue(String value) {
        if (value == null || value.isEmpty() || value.startsWith("-") || value.startsWith("@")) {
            return false;
        }
        try {
            Path.of(value);
            return true;
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        if (cdsTraining) {
            return CdsTraining.run();
        }
        ServerConfig config = config();
        SpoolServer server;
        try {
            server = SpoolServer.start(config);
        } catch (InvalidConfigException e) {
            throw CliException.usage("Invalid configuration: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new CliException(SpoolCli.EXIT_FAILED, "Spool failed to start: " + ErrorMessages.text(e), e);
        }
        LOG.info("Spool node {} started (listeners {}, data in {})", config.nodeId(),
                config.valueAsString("listeners"), config.logDirs());
        Thread hook = new Thread(() -> stop(server), "spool-shutdown");
        if (terminal.ownsProcess()) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        try {
            server.awaitShutdown();
        } catch (InterruptedException e) {
            stop(server);
            Thread.currentThread().interrupt();
        } finally {
            if (terminal.ownsProcess()) {
                ShutdownHooks.remove(hook);
            }
        }
        return SpoolCli.EXIT_OK;
    }

    /** The file's properties with the overrides applied, validated. */
    ServerConfig config() {
        if (configOption != null && configPositional != null) {
            throw CliException.usage("Give the configuration file either with --config or as an argument, not both");
        }
        Path file = configOption != null ? configOption : configPositional;
        Map<String, String> properties = file == null ? new LinkedHashMap<>() : PropertiesFile.read(file);
        for (String override : overrides) {
            KeyValue kv = KeyValue.parseRequired("--override", override);
            properties.put(kv.key(), kv.value());
        }
        try {
            return ServerConfig.parse(properties);
        } catch (InvalidConfigException e) {
            throw CliException.usage("Invalid configuration: " + e.getMessage());
        }
    }

    private static void stop(SpoolServer server) {
        LOG.info("Shutting down");
        try {
            server.close();
        } catch (RuntimeException e) {
            LOG.error("Unclean shutdown", e);
        }
    }
}
