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
import picocli.CommandLine;

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

    @Test
    void shouldParseAPlainServerCommandLineWithoutPicocliAsPicocliDoes() {
        List<List<String>> commandLines = List.of(
                List.of(),
                List.of("config/server.properties"),
                List.of("--config", "a.properties", "--override", "node.id=2", "--override=log.dirs=/tmp/x"),
                List.of("-c", "a.properties", "--verbose"),
                List.of("--config=a.properties", "--cds-training"),
                List.of("--override", "listeners=PLAINTEXT://127.0.0.1:9092", "b.properties", "--override", "a=b=c"),
                List.of("--verbose", "--override", "x=", "--config", "a", "b"));
        for (List<String> commandLine : commandLines) {
            String[] args = serverArgs(commandLine);
            ServerCommand.Parsed parsed = ServerCommand.parseSimple(args, terminal());
            CommandLine.ParseResult picocli = SpoolCli.commandLine(terminal()).parseArgs(args);
            ServerCommand expected = (ServerCommand) picocli.subcommand().commandSpec().userObject();

            assertThat(parsed).as("%s", commandLine).isNotNull();
            assertThat(parsed.command().configOption).as("%s", commandLine).isEqualTo(expected.configOption);
            assertThat(parsed.command().configPositional).as("%s", commandLine).isEqualTo(expected.configPositional);
            assertThat(parsed.command().overrides).as("%s", commandLine).isEqualTo(expected.overrides);
            assertThat(parsed.command().cdsTraining).as("%s", commandLine).isEqualTo(expected.cdsTraining);
            assertThat(parsed.verbose()).as("%s", commandLine)
                    .isEqualTo(picocli.subcommand().hasMatchedOption("--verbose"));
        }
    }

    @Test
    void shouldLeaveHelpVersionArgumentFilesAndMistakesToPicocli() {
        List<List<String>> commandLines = List.of(List.of("--help"), List.of("-h"), List.of("-V"),
                List.of("--version"), List.of("@args.txt"), List.of("--config"), List.of("--override"),
                List.of("--config", "a", "--config", "b"), List.of("a", "b"), List.of("--override", "--verbose"),
                List.of("--no-such-option"), List.of("--"), List.of("--config", ""), List.of("-ca.properties"));
        for (List<String> commandLine : commandLines) {
            assertThat(ServerCommand.parseSimple(serverArgs(commandLine), terminal())).as("%s", commandLine).isNull();
        }
        assertThat(ServerCommand.parseSimple(new String[] {"topic", "list"}, terminal())).isNull();
        assertThat(ServerCommand.parseSimple(new String[] {"--verbose", "server"}, terminal())).isNull();
    }

    @Test
    void shouldAnswerHelpForTheServerThroughPicocli() {
        CliRunner.Result r = CliRunner.run("server", "--help");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_OK);
        assertThat(r.out()).contains("--override", "--config");
    }

    private static String[] serverArgs(List<String> args) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of("server"), args.stream())
                .toArray(String[]::new);
    }

    private static Terminal terminal() {
        return CliRunner.terminal("", new ByteArrayOutputStream(), new ByteArrayOutputStream());
    }

    private static ServerCommand command() {
        return new ServerCommand(terminal());
    }
}
