package io.spool.cli;

import io.spool.broker.ServerConfig;
import io.spool.broker.SpoolServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code spool server --cds-training}: one start and stop of a node on free loopback ports with its data in a
 * temporary directory, so that a JVM recording a class-data archive sees every class a start loads. Stateless.
 */
final class CdsTraining {
    private CdsTraining() {
    }

    static int run() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("spool-cds-training");
            ServerConfig config = ServerConfig.parse(Map.of(
                    "listeners", "PLAINTEXT://127.0.0.1:" + freePort() + ",CONTROLLER://127.0.0.1:" + freePort(),
                    "log.dirs", dir.toString()));
            SpoolServer.start(config).close();
            return SpoolCli.EXIT_OK;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind is harmless.
        }
    }
}
