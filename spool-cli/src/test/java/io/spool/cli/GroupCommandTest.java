package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.Test;

/** {@code spool group} usage: everything decided before a broker is asked. */
class GroupCommandTest {

    @Test
    void shouldListTheGroupCommandInTheTopLevelHelp() {
        CliRunner.Result r = CliRunner.run("--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("group");
    }

    @Test
    void shouldExitTwoNamingTheSubcommandsWhenGroupHasNone() {
        CliRunner.Result r = CliRunner.run("group");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("list, describe, reset-offsets or delete");
    }

    @Test
    void shouldExitTwoWhenResetOffsetsHasNoTarget() {
        CliRunner.Result r = CliRunner.run("group", "reset-offsets", "--group", "g", "--all-topics");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err()).contains("--to-earliest");
    }

    @Test
    void shouldExitTwoWhenResetOffsetsHasTwoTargets() {
        CliRunner.Result r = CliRunner.run("group", "reset-offsets", "--group", "g", "--all-topics",
                "--to-earliest", "--to-offset", "3");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err()).contains("mutually exclusive");
    }

    @Test
    void shouldExitTwoWhenResetOffsetsHasNoScopeOrBoth() {
        CliRunner.Result none = CliRunner.run("group", "reset-offsets", "--group", "g", "--to-earliest");
        CliRunner.Result both = CliRunner.run("group", "reset-offsets", "--group", "g", "--to-earliest",
                "--topic", "t", "--all-topics");

        assertThat(none.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(none.err()).contains("--topic").contains("--all-topics");
        assertThat(both.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(both.err()).contains("mutually exclusive");
    }

    @Test
    void shouldExitTwoWhenDryRunAndExecuteAreCombined() {
        CliRunner.Result r = CliRunner.run("group", "reset-offsets", "--group", "g", "--all-topics", "--to-latest",
                "--dry-run", "--execute");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err()).contains("mutually exclusive");
    }

    @Test
    void shouldExitTwoWithoutConnectingWhenTheDatetimeIsNotATime() throws IOException {
        CliRunner.Result r = CliRunner.run("group", "reset-offsets", "--group", "g", "--all-topics",
                "--to-datetime", "yesterday", "--bootstrap-server", "127.0.0.1:" + unusedPort());

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err().strip()).startsWith("Invalid timestamp 'yesterday'");
    }

    @Test
    void shouldExitTwoWithoutConnectingWhenATopicSpecIsInvalid() throws IOException {
        CliRunner.Result r = CliRunner.run("group", "reset-offsets", "--group", "g", "--topic", "t:0",
                "--topic", "u:x", "--to-earliest", "--bootstrap-server", "127.0.0.1:" + unusedPort());

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err().strip()).startsWith("Invalid --topic 'u:x'");
    }

    @Test
    void shouldAcceptANegativeShiftAndRepeatedTopicsThenNameTheBrokerWhenNoneAnswers() throws IOException {
        String bootstrap = "127.0.0.1:" + unusedPort();

        CliRunner.Result r = CliRunner.run("group", "reset-offsets", "--group", "g", "--topic", "t",
                "--topic", "u:1,2", "--shift-by", "-3", "--bootstrap-server", bootstrap, "--timeout-ms", "300");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_FAILED);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("No answer from the broker at " + bootstrap);
    }

    @Test
    void shouldExitTwoWhenDeleteNamesNoGroup() {
        CliRunner.Result r = CliRunner.run("group", "delete");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err()).contains("GROUP");
    }

    @Test
    void shouldExitTwoWhenListTypeIsUnknown() {
        CliRunner.Result r = CliRunner.run("group", "list", "--type", "share");

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err()).containsIgnoringCase("classic, consumer");
    }

    @Test
    void shouldExitTwoNamingTheValidStatesWhenAStateIsUnknown() throws IOException {
        CliRunner.Result r = CliRunner.run("group", "list", "--state", "Sleeping",
                "--bootstrap-server", "127.0.0.1:" + unusedPort());

        assertThat(r.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(r.err().strip()).startsWith("Invalid --state 'Sleeping': expected one of ").contains("Stable");
    }

    @Test
    void shouldParseStatesCaseInsensitivelyWhenListing() {
        assertThat(GroupListCommand.parseStates(List.of("stable", "PreparingRebalance", "EMPTY", "reconciling")))
                .containsExactlyInAnyOrder(GroupState.STABLE, GroupState.PREPARING_REBALANCE, GroupState.EMPTY,
                        GroupState.RECONCILING);
        assertThatThrownBy(() -> GroupListCommand.parseStates(List.of("Unknown"))).isInstanceOf(CliException.class);
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
