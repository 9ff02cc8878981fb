package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions with the Java client against a real Spool node: read_committed consumers see exactly the committed
 * records in log order while read_uncommitted ones see everything; a zombie producer is fenced; and a node killed
 * in the middle of transactions neither loses a commit nor leaves a partition stuck behind an open transaction.
 */
class TransactionsIT {
    private static final int PARTITIONS = 3;

    @TempDir
    static Path dir;
    static SpoolProcess spool;

    @BeforeAll
    static void startSpool() {
        // Brokers talk on their own listener, so that broker-only calls can be shown refused to clients.
        spool = SpoolProcess.startWithInternalListener(dir);
    }

    @AfterAll
    static void stopSpool() {
        if (spool != null) {
            spool.close();
        }
    }

    @Test
    void shouldShowReadCommittedConsumersExactlyTheCommittedRecordsInOrder() throws Exception {
        String topic = createTopic("interleaved");
        Set<String> committed = new HashSet<>();
        Set<String> aborted = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> a = transactional("interleaved-a", 60_000);
             KafkaProducer<byte[], byte[]> b = transactional("interleaved-b", 60_000)) {
            a.initTransactions();
            b.initTransactions();
            for (int t = 0; t < 20; t++) {
                // Two producers' transactions interleave on the same partitions, so an aborted one lies between
                // the records of a committed one.
                a.beginTransaction();
                b.beginTransaction();
                List<String> aValues = send(a, topic, "a-" + t, 30);
                List<String> bValues = send(b, topic, "b-" + t, 30);
                aValues.addAll(send(a, topic, "a-" + t + "-late", 10));
                a.flush();
                b.flush();
                if (t % 3 == 1) {
                    a.abortTransaction();
                    aborted.addAll(aValues);
                } else {
                    a.commitTransaction();
                    committed.addAll(aValues);
                }
                if (t % 4 == 2) {
                    b.abortTransaction();
                    aborted.addAll(bValues);
                } else {
                    b.commitTransaction();
                    committed.addAll(bValues);
                }
            }
        }
        Map<Integer, List<String>> everything = readAll(topic, "read_uncommitted");
        Map<Integer, List<String>> visible = readAll(topic, "read_committed");
        List<String> all = everything.values().stream().flatMap(List::stream).toList();
        assertThat(all).hasSize(committed.size() + aborted.size()).doesNotHaveDuplicates()
                .containsAll(committed).containsAll(aborted);
        for (int p = 0; p < PARTITIONS; p++) {
            List<String> expected = everything.getOrDefault(p, List.of()).stream().filter(committed::contains)
                    .toList();
            assertThat(visible.getOrDefault(p, List.of())).as("partition %d", p).isEqualTo(expected);
        }
    }

    @Test
    void shouldFenceAZombieProducerAndAbortItsOpenTransaction() throws Exception {
        String topic = createTopic("zombie");
        KafkaProducer<byte[], byte[]> zombie = transactional("zombie", 60_000);
        try {
            zombie.initTransactions();
            zombie.beginTransaction();
            send(zombie, topic, "zombie", 5);
            zombie.flush();
            try (KafkaProducer<byte[], byte[]> successor = transactional("zombie", 60_000)) {
                successor.initTransactions();
                assertThatThrownBy(zombie::commitTransaction).isInstanceOf(KafkaException.class);
                successor.beginTransaction();
                List<String> values = send(successor, topic, "successor", 5);
                successor.commitTransaction();
                List<String> visible = readAll(topic, "read_committed").values().stream().flatMap(List::stream)
                        .toList();
                assertThat(visible).containsExactlyInAnyOrderElementsOf(values);
                assertThat(readAll(topic, "read_uncommitted").values().stream().mapToInt(List::size).sum())
                        .isEqualTo(10);
            }
        } finally {
            zombie.close(Duration.ZERO);
        }
    }

    @Test
    void shouldResolveOpenAndCommittingTransactionsWhenTheNodeIsKilled() throws Exception {
        String topic = createTopic("crash");
        KafkaProducer<byte[], byte[]> committer = transactional("crash-committer", 60_000);
        KafkaProducer<byte[], byte[]> abandoned = transactional("crash-abandoned", 5_000);
        List<String> committedValues;
        try {
            committer.initTransactions();
            abandoned.initTransactions();
            abandoned.beginTransaction();
            send(abandoned, topic, "abandoned", 20);
            abandoned.flush();
            committer.beginTransaction();
            committedValues = send(committer, topic, "committed", 20);
            // The commit is acknowledged once it is decided; the markers may still be on their way when the node dies.
            committer.commitTransaction();
            spool.kill();
        } finally {
            committer.close(Duration.ZERO);
            abandoned.close(Duration.ZERO);
        }
        spool.restart();
        // The abandoned transaction times out and is aborted: the last stable offset reaches the log end.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(readAll(topic, "read_committed")
                .values().stream().flatMap(List::stream).toList())
                .containsExactlyInAnyOrderElementsOf(committedValues));
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("read_committed")) {
            List<TopicPartition> partitions = partitions(topic);
            Map<TopicPartition, Long> stable = consumer.endOffsets(partitions);
            try (KafkaConsumer<byte[], byte[]> raw = consumer("read_uncommitted")) {
                assertThat(stable).isEqualTo(raw.endOffsets(partitions));
            }
        }
        // Both transactional ids work again, with a bumped epoch.
        try (KafkaProducer<byte[], byte[]> again = transactional("crash-abandoned", 60_000)) {
            again.initTransactions();
            again.beginTransaction();
            List<String> values = send(again, topic, "after", 3);
            again.commitTransaction();
            List<String> expected = new ArrayList<>(committedValues);
            expected.addAll(values);
            assertThat(readAll(topic, "read_committed").values().stream().flatMap(List::stream).toList())
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void shouldCommitConsumedOffsetsOnlyWithTheirTransaction() throws Exception {
        String topic = createTopic("offsets-in-txn");
        String group = "txn-offsets-group";
        TopicPartition input = new TopicPartition(topic, 0);
        try (KafkaProducer<byte[], byte[]> producer = transactional("offsets", 60_000);
             Admin admin = Clients.admin(spool.bootstrap())) {
            producer.initTransactions();
            ConsumerGroupMetadata metadata = new ConsumerGroupMetadata(group);
            producer.beginTransaction();
            send(producer, topic, "aborted-output", 3);
            producer.sendOffsetsToTransaction(Map.of(input, new OffsetAndMetadata(50)), metadata);
            producer.abortTransaction();
            // Markers are written after EndTxn answers: wait until the coordinator says they all landed.
            awaitState(admin, "offsets", TransactionState.COMPLETE_ABORT);
            assertThat(committedOffsets(admin, group)).doesNotContainKey(input);

            producer.beginTransaction();
            send(producer, topic, "committed-output", 3);
            producer.sendOffsetsToTransaction(Map.of(input, new OffsetAndMetadata(60)), metadata);
            producer.commitTransaction();
            awaitState(admin, "offsets", TransactionState.COMPLETE_COMMIT);
            assertThat(committedOffsets(admin, group)).containsEntry(input, new OffsetAndMetadata(60));
        }
    }

    @Test
    void shouldRefuseOffsetsMarkersAndWritesFromWhereTheyDoNotBelong() throws Exception {
        String topic = createTopic("refused");
        try (WireConnection wire = WireConnection.open(spool.port(), Duration.ofSeconds(10));
             WireConnection internal = WireConnection.open(spool.internalPort(), Duration.ofSeconds(10))) {
            int[] correlation = {0};
            InitProducerIdResponseData init = await().atMost(Duration.ofSeconds(30)).until(() -> {
                wire.request(ApiKeys.FIND_COORDINATOR, (short) 4, ++correlation[0], new FindCoordinatorRequestData()
                        .setKeyType((byte) 1).setCoordinatorKeys(List.of("stray")));
                return wire.<InitProducerIdResponseData>request(ApiKeys.INIT_PRODUCER_ID, (short) 4, ++correlation[0],
                        new InitProducerIdRequestData().setTransactionalId("stray").setTransactionTimeoutMs(60_000)
                                .setProducerId(-1).setProducerEpoch((short) -1));
            }, r -> r.errorCode() == Errors.NONE.code());
            long producerId = init.producerId();
            short epoch = init.producerEpoch();

            // Offsets the producer never added to a transaction (no AddOffsetsToTxn): no transaction is opened on
            // the group's partition, which no marker would ever close.
            TxnOffsetCommitResponseData stray = await().atMost(Duration.ofSeconds(30)).until(() -> {
                wire.request(ApiKeys.FIND_COORDINATOR, (short) 4, ++correlation[0], new FindCoordinatorRequestData()
                        .setKeyType((byte) 0).setCoordinatorKeys(List.of("stray-group")));
                return wire.<TxnOffsetCommitResponseData>request(ApiKeys.TXN_OFFSET_COMMIT, (short) 3,
                        ++correlation[0], txnOffsetCommit("stray", producerId, epoch, topic));
            }, r -> !Set.of(Errors.COORDINATOR_LOAD_IN_PROGRESS.code(), Errors.NOT_COORDINATOR.code(),
                    Errors.COORDINATOR_NOT_AVAILABLE.code()).contains(r.topics().get(0).partitions().get(0).errorCode()));
            assertThat(stray.topics().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.INVALID_TXN_STATE.code());
            TxnOffsetCommitResponseData anonymous = wire.request(ApiKeys.TXN_OFFSET_COMMIT, (short) 3,
                    ++correlation[0], txnOffsetCommit("", producerId, epoch, topic));
            assertThat(anonymous.topics().get(0).partitions().get(0).errorCode())
                    .isEqualTo(Errors.INVALID_REQUEST.code());

            // A transactional batch without a transactional id cannot be verified: refused as Kafka refuses it.
            ProduceRequestData produce = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
            produce.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                    new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(MemoryRecords
                            .withTransactionalRecords(Compression.NONE, producerId, epoch, 0,
                                    new SimpleRecord("stray".getBytes(StandardCharsets.UTF_8)))))));
            ProduceResponseData produced = wire.request(ApiKeys.PRODUCE, (short) 9, ++correlation[0], produce);
            assertThat(produced.responses().iterator().next().partitionResponses().get(0).errorCode())
                    .isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());

            // Markers and verification are broker-to-broker calls: a client must not end another's transaction.
            WriteTxnMarkersResponseData markers = wire.request(ApiKeys.WRITE_TXN_MARKERS, (short) 1,
                    ++correlation[0], marker(producerId, epoch, topic));
            assertThat(markers.markers().get(0).topics().get(0).partitions().get(0).errorCode())
                    .isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
            AddPartitionsToTxnResponseData verify = wire.request(ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 4,
                    ++correlation[0], verifyOnly("stray", producerId, epoch, topic));
            assertThat(verify.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
            // On the inter-broker listener they are served.
            AddPartitionsToTxnResponseData verified = internal.request(ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 4,
                    ++correlation[0], verifyOnly("stray", producerId, epoch, topic));
            assertThat(verified.errorCode()).isZero();
            assertThat(verified.resultsByTransaction().find("stray").topicResults().find(topic).resultsByPartition()
                    .find(0).partitionErrorCode()).as("not in a transaction").isEqualTo(Errors.INVALID_TXN_STATE.code());
            WriteTxnMarkersResponseData unknown = internal.request(ApiKeys.WRITE_TXN_MARKERS, (short) 1,
                    ++correlation[0], marker(producerId, epoch, "no-such-topic"));
            assertThat(unknown.markers().get(0).topics().get(0).partitions().get(0).errorCode())
                    .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        // Nothing was opened: the partitions stay stable, and the transactional id still works.
        try (KafkaProducer<byte[], byte[]> producer = transactional("stray", 60_000)) {
            producer.initTransactions();
            producer.beginTransaction();
            List<String> values = send(producer, topic, "after-stray", 6);
            producer.commitTransaction();
            assertThat(readAll(topic, "read_committed").values().stream().flatMap(List::stream).toList())
                    .containsExactlyInAnyOrderElementsOf(values);
        }
    }

    private static TxnOffsetCommitRequestData txnOffsetCommit(String transactionalId, long producerId, short epoch,
            String topic) {
        TxnOffsetCommitRequestData request = new TxnOffsetCommitRequestData().setTransactionalId(transactionalId)
                .setGroupId("stray-group").setProducerId(producerId).setProducerEpoch(epoch);
        request.topics().add(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName(topic)
                .setPartitions(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                        .setPartitionIndex(0).setCommittedOffset(5))));
        return request;
    }

    private static WriteTxnMarkersRequestData marker(long producerId, short epoch, String topic) {
        WriteTxnMarkersRequestData request = new WriteTxnMarkersRequestData();
        request.markers().add(new WriteTxnMarkersRequestData.WritableTxnMarker().setProducerId(producerId)
                .setProducerEpoch(epoch).setTransactionResult(true).setCoordinatorEpoch(0)
                .setTopics(List.of(new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName(topic)
                        .setPartitionIndexes(List.of(0)))));
        return request;
    }

    private static AddPartitionsToTxnRequestData verifyOnly(String transactionalId, long producerId, short epoch,
            String topic) {
        AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic t = new AddPartitionsToTxnRequestData
                .AddPartitionsToTxnTopic().setName(topic).setPartitions(List.of(0));
        AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction txn = new AddPartitionsToTxnRequestData
                .AddPartitionsToTxnTransaction().setTransactionalId(transactionalId).setProducerId(producerId)
                .setProducerEpoch(epoch).setVerifyOnly(true);
        txn.topics().add(t);
        AddPartitionsToTxnRequestData request = new AddPartitionsToTxnRequestData();
        request.transactions().add(txn);
        return request;
    }

    private static void awaitState(Admin admin, String transactionalId, TransactionState state) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(admin
                .describeTransactions(List.of(transactionalId)).description(transactionalId).get().state())
                .isEqualTo(state));
    }

    /** The group's committed offsets as a read_committed consumer sees them (requireStable). */
    private static Map<TopicPartition, OffsetAndMetadata> committedOffsets(Admin admin, String group)
            throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(admin.listConsumerGroupOffsets(group,
                new ListConsumerGroupOffsetsOptions().requireStable(true)).partitionsToOffsetAndMetadata().get());
        offsets.values().removeIf(java.util.Objects::isNull);
        return offsets;
    }

    private static String createTopic(String name) throws Exception {
        try (Admin admin = Clients.admin(spool.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(name, PARTITIONS, (short) 1))).all().get();
        }
        return name;
    }

    private static KafkaProducer<byte[], byte[]> transactional(String id, int timeoutMs) {
        return Clients.producer(spool.bootstrap(), Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, timeoutMs, ProducerConfig.LINGER_MS_CONFIG, 2));
    }

    /** Sends {@code count} records with values {@code prefix-i}, round robin over the partitions. */
    private static List<String> send(KafkaProducer<byte[], byte[]> producer, String topic, String prefix,
            int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String value = prefix + "-" + i;
            values.add(value);
            producer.send(new ProducerRecord<>(topic, i % PARTITIONS, null, value.getBytes(StandardCharsets.UTF_8)));
        }
        return values;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String isolation) {
        return Clients.consumer(spool.bootstrap(), Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation));
    }

    private static List<TopicPartition> partitions(String topic) {
        return IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p)).toList();
    }

    /** Every record up to the end the isolation level allows (the last stable offset for read_committed). */
    private static Map<Integer, List<String>> readAll(String topic, String isolation) {
        Map<Integer, List<String>> values = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(isolation)) {
            List<TopicPartition> partitions = partitions(topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    values.computeIfAbsent(r.partition(), p -> new ArrayList<>())
                            .add(new String(r.value(), StandardCharsets.UTF_8));
                }
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
        }
        return values;
    }
}
