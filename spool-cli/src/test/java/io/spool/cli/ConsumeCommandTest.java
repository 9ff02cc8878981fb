package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ConsumeCommandTest {

    @Test
    void shouldStartAtBeginningWhenReadingToTheEnd() {
        assertThat(parse().startPosition()).isEqualTo(new StartPosition.Beginning());
    }

    @Test
    void shouldStartAtEndWhenFollowing() {
        assertThat(parse("--follow").startPosition()).isEqualTo(new StartPosition.End());
    }

    @Test
    void shouldStartAtCommittedOffsetsWhenInAGroup() {
        assertThat(parse("--group", "g").startPosition()).isEqualTo(new StartPosition.Committed());
        assertThat(parse("--group", "g", "--from-beginning").startPosition())
                .isEqualTo(new StartPosition.Committed());
    }

    @Test
    void shouldStartAtGivenOffsetOrTimeWhenAsked() {
        assertThat(parse("--offset", "5", "--follow").startPosition()).isEqualTo(new StartPosition.AtOffset(5));
        assertThat(parse("--timestamp", "2024-05-01T12:00:00Z").startPosition())
                .isEqualTo(new StartPosition.AtTimestamp(1_714_564_800_000L));
        assertThat(parse("--from-beginning", "--follow").startPosition()).isEqualTo(new StartPosition.Beginning());
    }

    @Test
    void shouldParsePrintFlagsAndSeparator() {
        ConsumeCommand c = parse("--print-key", "--print-offset", "--key-separator", "|", "--max-messages", "3",
                "--partition", "1", "-b", "h:1", "-X", "isolation.level=read_committed");

        assertThat(c.printKey).isTrue();
        assertThat(c.printOffset).isTrue();
        assertThat(c.printHeaders).isFalse();
        assertThat(c.separator).isEqualTo("|");
        assertThat(c.maxMessages).isEqualTo(3);
        assertThat(c.partition).isEqualTo(1);
        assertThat(c.client.bootstrapServer).isEqualTo("h:1");
        assertThat(c.properties).containsExactly("isolation.level=read_committed");
    }

    @Test
    void shouldSeparateFieldsWithTabByDefault() {
        assertThat(Separators.unescape(parse().separator)).isEqualTo("\t");
    }

    private static ConsumeCommand parse(String... options) {
        String[] args = new String[options.length + 3];
        args[0] = "consume";
        args[1] = "--topic";
        args[2] = "t";
        System.arraycopy(options, 0, args, 3, options.length);
        CommandLine cli = SpoolCli.commandLine(CliRunner.terminal("", new ByteArrayOutputStream(),
                new ByteArrayOutputStream()));
        return (ConsumeCommand) cli.parseArgs(args).subcommand().commandSpec().userObject();
    }
}
