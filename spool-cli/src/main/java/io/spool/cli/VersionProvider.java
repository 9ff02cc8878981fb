package io.spool.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/**
 * Reports Spool's version (filtered into {@code version.properties} by the build) and the version of the Kafka
 * client library it speaks through (from the properties file that library ships). Stateless.
 */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {
            "spool " + read("/io/spool/cli/version.properties"),
            "kafka-clients " + read("/kafka/kafka-version.properties")
        };
    }

    static String spoolVersion() {
        return read("/io/spool/cli/version.properties");
    }

    private static String read(String resource) {
        try (InputStream in = VersionProvider.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
