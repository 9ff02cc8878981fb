package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ClusterLocalCommandTest {

    @Test
    void shouldStartBrokersOnlyAndControllersOnlyWhenControllersAreGiven() {
        ClusterLocalCommand command = parse("--nodes", "2", "--controllers", "3", "--base-port", "19092");
        String voters = "3@127.0.0.1:19097,4@127.0.0.1:19099,5@127.0.0.1:19101";

        List<String> broker = command.command(2, voters);
        List<String> controller = command.command(3, voters);

        assertThat(broker).contains("process.roles=broker",
                "listeners=PLAINTEXT://127.0.0.1:19094,CONTROLLER://127.0.0.1:19095",
                "controller.quorum.voters=" + voters);
        assertThat(controller).contains("node.id=3", "process.roles=controller",
                "listeners=CONTROLLER://127.0.0.1:19097");
    }

    @Test
    void shouldMakeEveryNodeBrokerAndControllerWhenNoControllersAreGiven() {
        ClusterLocalCommand command = parse("--nodes", "3");

        assertThat(command.command(1, "1@127.0.0.1:9093")).contains("process.roles=broker,controller",
                "listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093");
    }

    private static ClusterLocalCommand parse(String... args) {
        ClusterLocalCommand command = new ClusterLocalCommand(CliRunner.terminal("", new ByteArrayOutputStream(),
                new ByteArrayOutputStream()));
        new CommandLine(command).parseArgs(args);
        return command;
    }
}
