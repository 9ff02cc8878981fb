package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientOptionsTest {
    @TempDir
    Path dir;

    @Test
    void shouldLayerDefaultsFileOverridesAndBootstrapOptionInThatOrder() throws IOException {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "bootstrap.servers=file:1\nacks=1\nlinger.ms=7\n");
        ClientOptions options = new ClientOptions();
        options.commandConfig = file;

        Properties props = options.clientProperties(Map.of("acks", "all", "client.id", "c"),
                List.of("linger.ms=9"), "--property");

        assertThat(props).containsEntry("bootstrap.servers", "file:1").containsEntry("acks", "1")
                .containsEntry("linger.ms", "9").containsEntry("client.id", "c");

        options.bootstrapServer = "cli:2";
        assertThat(options.clientProperties(Map.of(), List.of(), "--property"))
                .containsEntry("bootstrap.servers", "cli:2");
    }

    @Test
    void shouldUseLocalBrokerWhenNothingIsGiven() {
        assertThat(new ClientOptions().clientProperties(Map.of(), List.of(), "--property"))
                .containsEntry("bootstrap.servers", "127.0.0.1:9092");
    }
}
