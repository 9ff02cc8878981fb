package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spool.broker.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerCommandTest {
    @TempDir
    Path dir;

    @Test
    void shouldApplyOverridesOverTheFileWhenBothSetAProperty() throws IOException {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, "# a comment\nnode.id=3\nlog.dirs=/tmp/a\n");
        ServerCommand command = command();
        command.configOption = file;
        command.overrides = List.of("log.dirs=/tmp/b");

        ServerConfig config = command.config();

        assertThat(config.nodeId()).isEqualTo(3);
        assertThat(config.logDirs()).containsExactly(Path.of("/tmp/b"));
    }

    @Test
    void shouldUseDefaultsWhenNoFileIsGiven() {
        ServerConfig config = command().config();

        assertThat(config.valueAsString("listeners")).contains("127.0.0.1:9092");
    }

    @Test
    void shouldExitTwoNamingTheSettingWhenOneIsUnknown() {
        CliRunner.Result r = CliRunner.run("server", "--override", "no.such.setting=1");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err().strip()).startsWith("Invalid configuration: ").contains("no.such.setting");
    }

    @Test
    void shouldExitTwoWhenOverrideHasNoValue() {
        CliRunner.Result r = CliRunner.run("server", "--override", "node.id");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err()).contains("--override needs KEY=VALUE");
    }

    @Test
    void shouldExitTwoWhenConfigFileIsMissing() {
        CliRunner.Result r = CliRunner.run("server", "--config", dir.resolve("missing.properties").toString());

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err()).contains("File not found");
    }

    @Test
    void shouldRejectConfigGivenBothAsOptionAndArgument() {
        ServerCommand command = command();
        command.configOption = dir.resolve("a");
        command.configPositional = dir.resolve("b");

        assertThatThrownBy(command::config).isInstanceOf(CliException.class).hasMessageContaining("not both");
    }

    private static ServerCommand command() {
        return new ServerCommand(CliRunner.terminal("", new ByteArrayOutputStream(), new ByteArrayOutputStream()));
    }
}
