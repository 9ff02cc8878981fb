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
