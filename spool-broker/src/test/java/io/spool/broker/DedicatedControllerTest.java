package io.spool.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dedicated controller (process.roles=controller, node 1) and a broker-only node (node 2) in one JVM: the broker
 * joins through the controller it reaches over the metadata quorum, and clients see the broker only.
 */
class DedicatedControllerTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldServeClientsFromABrokerWhenTheOnlyControllerIsDedicated() throws Exception {
        int controllerPort = freePort();
        String voters = "1@127.0.0.1:" + controllerPort;
        try (SpoolServer controller = SpoolServer.start(ServerConfig.parse(Map.of("node.id", "1",
                "process.roles", "controller", "listeners", "CONTROLLER://127.0.0.1:" + controllerPort,
                "controller.quorum.voters", voters, "log.dirs", dir.resolve("controller").toString())));
             SpoolServer broker = SpoolServer.start(ServerConfig.parse(Map.of("node.id", "2",
                     "process.roles", "broker", "controller.quorum.voters", voters,
                     "listeners", "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:" + freePort(),
                     "log.dirs", dir.resolve("broker").toString())));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(broker)))) {
            assertThat(admin.describeCluster().nodes().get()).extracting(Node::id).containsExactly(2);
            assertThat(admin.describeCluster().controller().get().id()).isEqualTo(2);
            QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS);
            assertThat(quorum.leaderId()).isEqualTo(1);
            assertThat(quorum.voters()).extracting(QuorumInfo.ReplicaState::replicaId).containsExactly(1);

            admin.createTopics(List.of(new NewTopic("orders", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            produceAndReadBack(bootstrap(broker), "orders");
            assertThat(partitionDirs(dir.resolve("controller"))).isEmpty();
            assertThat(partitionDirs(dir.resolve("broker"))).contains("orders-0", "orders-1");
        }
    }

    private static void produceAndReadBack(String bootstrap, String topic) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, "k", "v")).get(30, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            List<ConsumerRecord<String, String>> records = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(records).extracting(ConsumerRecord::value).containsExactly("v");
        }
    }

    private static List<String> partitionDirs(Path logDir) throws IOException {
        try (Stream<Path> entries = Files.list(logDir)) {
            return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(name -> !name.startsWith("__cluster_metadata")).toList();
        }
    }

    private static String bootstrap(SpoolServer server) {
        return "127.0.0.1:" + server.boundPort("PLAINTEXT");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
