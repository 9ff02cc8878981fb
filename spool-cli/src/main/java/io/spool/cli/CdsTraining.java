package io.spool.cli;

import io.spool.broker.ServerConfig;
import io.spool.broker.SpoolServer;
import io.spool.broker.cluster.KafkaConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * {@code spool server --cds-training}: one start and stop of a node on free loopback ports with its data in a
 * temporary directory, answering a client's first requests in between, so that a JVM recording a class-data archive
 * sees every class a start loads and those that serve the first client. Stateless.
 */
final class CdsTraining {
    private CdsTraining() {
    }

    static int run() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("spool-cds-training");
            int port = freePort();
            ServerConfig config = ServerConfig.parse(Map.of(
                    "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + freePort(),
                    "log.dirs", dir.toString()));
            try (SpoolServer server = SpoolServer.start(config)) {
                greetAsAClient(port);
            }
            return SpoolCli.EXIT_OK;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /**
     * What every client sends first, ApiVersions and then Metadata, on one connection. Without it the hundred-odd
     * classes that accept a connection and serve a request (Netty's channel and buffer classes, the request
     * handling) stayed out of the archive, and a new node's first answer waited while they were read from the jars
     * and verified: 20-30 ms of a start on a 2-core machine.
     */
    private static void greetAsAClient(int port) throws IOException {
        try (KafkaConnection connection = new KafkaConnection("127.0.0.1", port, "spool-cds-training")) {
            connection.connect(5_000);
            // At the versions Apache Kafka 4's clients send.
            ApiVersionsResponseData versions = (ApiVersionsResponseData) connection.call(ApiKeys.API_VERSIONS,
                    (short) 4, new ApiVersionsRequestData().setClientSoftwareName("spool-cds-training")
                            .setClientSoftwareVersion("1"), 10_000);
            MetadataResponseData metadata = (MetadataResponseData) connection.call(ApiKeys.METADATA, (short) 13,
                    new MetadataRequestData().setTopics(null).setAllowAutoTopicCreation(false), 10_000);
            if (versions.errorCode() != 0 || metadata.brokers().isEmpty()) {
                throw new IOException("The training node answered ApiVersions with error " + versions.errorCode()
                        + " and Metadata with " + metadata.brokers().size() + " brokers");
            }
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
