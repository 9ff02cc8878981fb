package io.spool.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.errors.TimeoutException;
import picocli.CommandLine.Option;

/**
 * Where and how a client command connects: {@code --bootstrap-server} and {@code --command-config}. Properties are
 * layered, later wins: the command's defaults, the command-config file, {@code --property} values, then an explicit
 * {@code --bootstrap-server}.
 */
final class ClientOptions {
    static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

    @Option(names = {"-b", "--bootstrap-server"}, paramLabel = "HOST:PORT",
            description = "Broker(s) to connect to, comma-separated (default: " + DEFAULT_BOOTSTRAP + ").")
    String bootstrapServer;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "A properties file of extra client settings (security, timeouts, ...).")
    Path commandConfig;

    private String usedBootstrap = DEFAULT_BOOTSTRAP;

    /** The client's properties: {@code defaults}, then the command-config file, then {@code overrides}. */
    Properties clientProperties(Map<String, String> defaults, List<String> overrides, String overrideOption) {
        Properties props = new Properties();
        props.put("bootstrap.servers", DEFAULT_BOOTSTRAP);
        props.putAll(defaults);
        if (commandConfig != null) {
            props.putAll(PropertiesFile.read(commandConfig));
        }
        for (String override : overrides) {
            KeyValue kv = KeyValue.parseRequired(overrideOption, override);
            props.put(kv.key(), kv.value());
        }
        if (bootstrapServer != null) {
            props.put("bootstrap.servers", bootstrapServer);
        }
        usedBootstrap = props.getProperty("bootstrap.servers");
        return props;
    }

    /**
     * The failure of a client call as the line to print, naming the bootstrap servers when the broker did not
     * answer in time.
     */
    CliException failure(Throwable t, long timeoutMs) {
        if (ErrorMessages.unwrap(t) instanceof TimeoutException) {
            return CliException.failed("No answer from the broker at " + usedBootstrap + " within " + timeoutMs
                    + " ms (" + ErrorMessages.text(ErrorMessages.unwrap(t)) + ")");
        }
        return new CliException(ErrorMessages.exitCode(t), ErrorMessages.describe(t), t);
    }
}
