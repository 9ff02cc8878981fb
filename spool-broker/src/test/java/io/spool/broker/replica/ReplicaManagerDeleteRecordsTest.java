package io.spool.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.spool.metadata.Endpoint;
import io.spool.metadata.MetadataDelta;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.MetadataRecord;
import io.spool.metadata.RegisterBrokerRecord;
import io.spool.metadata.UnfenceBrokerRecord;
import io.spool.storage.LogConfig;
import io.spool.storage.LogManager;
import io.spool.storage.PartitionLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReplicaManager#deleteRecords} on node 1, leader of replicas 1, 2, 3 on live brokers 1, 2 and 3, holding ten
 * records that every follower has fetched.
 */
class ReplicaManagerDeleteRecordsTest {
    private static final List<Integer> REPLICAS = List.of(1, 2, 3);

    @TempDir
    Path dir;
    private LogManager logs;
    private ReplicaManager replicas;
    private MetadataImage image;
    private PartitionLog log;
    private Partition partition;

    @BeforeEach
    void lead() {
        logs = LogManager.open(List.of(dir), Clock.systemUTC());
        replicas = new ReplicaManager(1, logs, overrides -> LogConfig.defaults(), overrides -> 1, Clock.systemUTC());
        image = liveBrokers(1, 2, 3);
        replicas.activate(image);
        log = logs.getOrCreate(new TopicPartition("t", 0), Uuid.randomUuid(), LogConfig.defaults());
        partition = new Partition(log, 1, new Partition.Assignment(-1, -1, -1, REPLICAS, List.of(), 1));
        partition.updateAssignment(new Partition.Assignment(1, 0, 0, REPLICAS, REPLICAS, 1), 0);
        SimpleRecord[] records = new SimpleRecord[10];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, records), 0);
        log.flush();
        replicas.onFollowerFetch(partition, 2, 12, 10, 0, image);
        replicas.onFollowerFetch(partition, 3, 13, 10, 0, image);
        assertThat(log.highWatermark()).isEqualTo(10);
    }

    @AfterEach
    void close() {
        replicas.shutdown();
        logs.close();
    }

    private static MetadataImage liveBrokers(int... ids) {
        List<MetadataRecord> records = new ArrayList<>();
        for (int id : ids) {
            records.add(new RegisterBrokerRecord(id, 10 + id, List.of(new Endpoint("PLAINTEXT", "h", 9000 + id)),
                    null));
            records.add(new UnfenceBrokerRecord(id, 10 + id));
        }
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        records.forEach(delta::replay);
        return delta.apply(records.size());
    }

    private DeleteRecordsOutcome delete(long offset, long timeoutMs) throws Exception {
        return replicas.deleteRecords(partition, offset, timeoutMs).get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldTimeOutWhenFollowersDoNotFollowTheNewStart() throws Exception {
        DeleteRecordsOutcome outcome = delete(4, 200);

        assertThat(outcome).isEqualTo(new DeleteRecordsOutcome(Errors.REQUEST_TIMED_OUT, 0));
        assertThat(log.logStartOffset()).as("the leader moved all the same").isEqualTo(4);
    }

    @Test
    void shouldAnswerWithLowWatermarkOnceFollowersReportTheNewStart() throws Exception {
        var pending = replicas.deleteRecords(partition, -1, 10_000);

        org.awaitility.Awaitility.await("-1 is the high watermark").until(() -> log.logStartOffset() == 10);
        replicas.onFollowerFetch(partition, 2, 12, 10, 10, image);
        assertThat(pending).isNotDone();
        replicas.onFollowerFetch(partition, 3, 13, 10, 10, image);

        assertThat(pending.get(10, TimeUnit.SECONDS)).isEqualTo(DeleteRecordsOutcome.success(10));
    }

    @Test
    void shouldRefuseOffsetsOutsideTheCommittedLog() throws Exception {
        assertThat(delete(11, 1000).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(delete(-2, 1000).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(log.logStartOffset()).isZero();
    }

    @Test
    void shouldRefuseWhenNotLeader() throws Exception {
        partition.updateAssignment(new Partition.Assignment(2, 1, 1, REPLICAS, REPLICAS, 1), 0);

        assertThat(delete(3, 1000)).isEqualTo(DeleteRecordsOutcome.failure(Errors.NOT_LEADER_OR_FOLLOWER));
    }
}
