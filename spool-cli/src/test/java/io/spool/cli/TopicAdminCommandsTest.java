package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Argument parsing of {@code topic alter}, {@code topic delete-records} and {@code topic describe --all-configs}. */
class TopicAdminCommandsTest {

    private static Object parse(String... args) {
        CommandLine cli = SpoolCli.commandLine(CliRunner.terminal("", new ByteArrayOutputStream(),
                new ByteArrayOutputStream()));
        return cli.parseArgs(args).subcommand().subcommand().commandSpec().userObject();
    }

    @Test
    void shouldTakeTheTopicAsArgumentOrOption() {
        TopicAlterCommand byOption = (TopicAlterCommand) parse("topic", "alter", "--topic", "t", "--partitions", "4");
        TopicAlterCommand byArgument = (TopicAlterCommand) parse("topic", "alter", "t", "-p", "4");

        assertThat(byOption.topic.get()).isEqualTo("t");
        assertThat(byArgument.topic.get()).isEqualTo("t");
        assertThat(byArgument.partitions).isEqualTo(4);
        assertThatThrownBy(() -> ((TopicAlterCommand) parse("topic", "alter", "a", "--topic", "b")).topic.get())
                .isInstanceOf(CliException.class).hasMessageContaining("Give the topic once");
        assertThatThrownBy(() -> ((TopicAlterCommand) parse("topic", "alter", "-p", "2")).topic.get())
                .isInstanceOf(CliException.class).hasMessageContaining("Missing topic");
    }

    @Test
    void shouldTurnConfigOptionsIntoSetThenDeleteOperations() {
        TopicAlterCommand alter = (TopicAlterCommand) parse("topic", "alter", "--topic", "t",
                "--config", "retention.ms=1000", "--delete-config", "segment.ms", "--config", "x=a=b");

        assertThat(alter.configOps()).containsExactly(
                new AlterConfigOp(new ConfigEntry("retention.ms", "1000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("x", "a=b"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("segment.ms", null), AlterConfigOp.OpType.DELETE));
    }

    @Test
    void shouldRefuseAlterWithNothingToDoOrBadValuesAsUsageErrors() {
        CliRunner.Result nothing = CliRunner.run("topic", "alter", "--topic", "t");
        assertThat(nothing.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(nothing.err()).contains("Nothing to alter");

        CliRunner.Result noValue = CliRunner.run("topic", "alter", "t", "--config", "retention.ms");
        assertThat(noValue.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(noValue.err()).contains("--config needs KEY=VALUE");

        CliRunner.Result withValue = CliRunner.run("topic", "alter", "t", "--delete-config", "retention.ms=1");
        assertThat(withValue.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);

        CliRunner.Result zero = CliRunner.run("topic", "alter", "t", "--partitions", "0");
        assertThat(zero.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(zero.err()).contains("--partitions must be positive");
    }

    @Test
    void shouldDeleteRecordsOfTheNamedPartitionsOnceEachInOrder() {
        TopicDeleteRecordsCommand command = (TopicDeleteRecordsCommand) parse("topic", "delete-records",
                "--topic", "t", "--partition", "2", "--partition", "0,2", "--offset", "17");
        command.validate();

        Map<TopicPartition, RecordsToDelete> request = command.recordsToDelete("t", command.partitions);

        assertThat(request).containsExactly(
                Map.entry(new TopicPartition("t", 0), RecordsToDelete.beforeOffset(17)),
                Map.entry(new TopicPartition("t", 2), RecordsToDelete.beforeOffset(17)));
    }

    @Test
    void shouldTakeEveryPartitionAndMinusOneAsTheHighWatermark() {
        TopicDeleteRecordsCommand command = (TopicDeleteRecordsCommand) parse("topic", "delete-records", "t",
                "--offset", "-1");
        command.validate();

        assertThat(command.partitions).isEmpty();
        assertThat(command.recordsToDelete("t", List.of(0, 1)).values()).containsOnly(
                RecordsToDelete.beforeOffset(TopicDeleteRecordsCommand.HIGH_WATERMARK));
    }

    @Test
    void shouldRefuseDeleteRecordsWithoutOffsetOrWithABadOne() {
        CliRunner.Result missing = CliRunner.run("topic", "delete-records", "--topic", "t");
        assertThat(missing.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(missing.err()).contains("Missing required option").contains("--offset");

        CliRunner.Result belowMinusOne = CliRunner.run("topic", "delete-records", "--topic", "t", "--offset", "-2");
        assertThat(belowMinusOne.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
        assertThat(belowMinusOne.err()).contains("--offset must be an offset");

        CliRunner.Result negativePartition = CliRunner.run("topic", "delete-records", "t", "--offset", "3",
                "--partition", "-1");
        assertThat(negativePartition.exitCode()).isEqualTo(SpoolCli.EXIT_USAGE);
    }

    @Test
    void shouldShowOnlyOverridesUnlessAllConfigsIsAsked() {
        Config config = new Config(List.of(
                new ConfigEntry("segment.ms", "604800000", ConfigEntry.ConfigSource.DEFAULT_CONFIG, false, false,
                        List.of(), ConfigEntry.ConfigType.LONG, null),
                new ConfigEntry("retention.ms", "1000", ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, false, false,
                        List.of(), ConfigEntry.ConfigType.LONG, null)));

        assertThat(TopicDescribeCommand.shown(config, false)).extracting(ConfigEntry::name)
                .containsExactly("retention.ms");
        assertThat(TopicDescribeCommand.shown(config, true)).extracting(ConfigEntry::name)
                .containsExactly("retention.ms", "segment.ms");
        assertThat(((TopicDescribeCommand) parse("topic", "describe", "--all-configs", "t")).allConfigs).isTrue();
    }
}
