package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class SpoolCliTest {

    @Test
    void shouldPrintUsageAndExitZeroWhenAskedForHelp() {
        CliRunner.Result r = CliRunner.run("--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("server", "topic", "produce", "consume");
    }

    @Test
    void shouldPrintSpoolAndClientVersionsWhenAskedForVersion() {
        CliRunner.Result r = CliRunner.run("--version");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("spool ").contains("kafka-clients 4.");
    }

    @Test
    void shouldPrintSubcommandHelpWhenAskedForIt() {
        CliRunner.Result r = CliRunner.run("topic", "create", "--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--partitions", "--replication-factor", "--if-not-exists", "--bootstrap-server");
    }

    @Test
    void shouldExitTwoWithOneLineWhenNoCommandIsGiven() {
        CliRunner.Result r = CliRunner.run();

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("Missing command");
    }

    @Test
    void shouldExitTwoWhenTopicHasNoSubcommand() {
        CliRunner.Result r = CliRunner.run("topic");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err()).contains("create, list, describe, alter, delete or delete-records");
    }

    @Test
    void shouldExitTwoWithOneLineWhenAnOptionIsUnknown() {
        CliRunner.Result r = CliRunner.run("consume", "--topic", "t", "--bogus");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("'--bogus'", "spool consume --help");
    }

    @Test
    void shouldExitTwoWhenTopicNameIsMissing() {
        CliRunner.Result r = CliRunner.run("topic", "create");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err()).contains("NAME");
    }

    @Test
    void shouldExitTwoWhenStartOptionsAreCombined() {
        CliRunner.Result r = CliRunner.run("consume", "--topic", "t", "--from-beginning", "--offset", "3");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err()).contains("mutually exclusive");
    }

    @Test
    void shouldExitTwoWhenTimestampIsNotATime() {
        CliRunner.Result r = CliRunner.run("consume", "--topic", "t", "--timestamp", "yesterday");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err()).contains("Invalid timestamp 'yesterday'");
    }

    @Test
    void shouldExitTwoWhenProduceHasNoTopic() {
        CliRunner.Result r = CliRunner.run("produce");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err()).contains("--topic");
    }

    @Test
    void shouldExitTwoWhenPartitionsIsNotPositive() {
        CliRunner.Result r = CliRunner.run("topic", "create", "t", "--partitions", "0");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err().strip()).isEqualTo("--partitions must be positive");
    }

    @Test
    void shouldExitTwoWhenCommandConfigFileIsMissing() {
        CliRunner.Result r = CliRunner.run("topic", "list", "--command-config", "/no/such/file.properties");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err()).contains("File not found: /no/such/file.properties");
    }

    @Test
    void shouldExitOneNamingTheBrokerWhenNoneAnswersInTime() throws IOException {
        String bootstrap = "127.0.0.1:" + unusedPort();

        CliRunner.Result r = CliRunner.run("topic", "create", "t", "--bootstrap-server", bootstrap,
                "--timeout-ms", "300");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_FAILED);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("No answer from the broker at " + bootstrap + " within 300 ms");
    }

    @Test
    void shouldPrintStackTraceWhenVerbose() throws IOException {
        CliRunner.Result r = CliRunner.run("topic", "list", "--bootstrap-server", "127.0.0.1:" + unusedPort(),
                "--timeout-ms", "300", "--verbose");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_FAILED);
        assertThat(r.err()).contains("\tat ");
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
