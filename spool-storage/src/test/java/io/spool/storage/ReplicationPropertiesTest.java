package io.spool.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

class ReplicationPropertiesTest {

    private static final TopicPartition A = new TopicPartition("t", 0);
    private static final TopicPartition B = new TopicPartition("t", 1);
    private static final long PID = 5L;

    /**
     * Two replicas take turns leading, one term (leader epoch) each: the leader of a term writes, the other truncates
     * to where it diverges and copies part of the leader's log (often not all of it, so that the next leader may
     * lack the end of the last term). Whatever the history, once the last follower has truncated and caught up, both
     * logs hold the same bytes, epochs and producer state, also after a crash.
     */
    @Property(tries = 30)
    void replicasShouldConvergeWhateverTheLeadershipHistory(@ForAll long seed,
                                                              @ForAll @IntRange(min = 1, max = 12) int terms,
                                                              @ForAll @IntRange(min = 400, max = 3000) int segmentBytes)
        throws IOException {
        Random random = new Random(seed);
        Path dir = Files.createTempDirectory("replicas");
        MutableClock clock = new MutableClock(1_000_000L);
        LogConfig config = LogConfig.defaults().withSegmentBytes(segmentBytes).withIndex(100, 4096);
        LogManager manager = LogManager.open(List.of(dir), clock, p -> config, new Random(0));
        try {
            PartitionLog[] logs = {manager.getOrCreate(A, Uuid.ONE_UUID, config),
                manager.getOrCreate(B, Uuid.ONE_UUID, config)};
            int leader = 0;
            for (int epoch = 0; epoch < terms; epoch++) {
                leader = random.nextInt(2);
                PartitionLog l = logs[leader];
                PartitionLog f = logs[1 - leader];
                l.maybeAssignEpochStartOffset(epoch);
                int writes = random.nextInt(6);
                for (int i = 0; i < writes; i++) {
                    assertThat(l.appendAsLeader(nextBatch(l, random, clock.millis()), epoch).error())
                        .isEqualTo(Errors.NONE);
                }
                ReplicaDivergenceTest.truncateToDivergence(l, f);
                int fetches = random.nextInt(4);
                for (int i = 0; i < fetches && f.logEndOffset() < l.logEndOffset(); i++) {
                    MemoryRecords fetched = TestBatches.fetch(l, f.logEndOffset(), 1 + random.nextInt(600));
                    assertThat(f.appendAsFollower(fetched).error()).isEqualTo(Errors.NONE);
                }
            }
            ReplicaDivergenceTest.truncateToDivergence(logs[leader], logs[1 - leader]);
            TestBatches.replicate(logs[leader], logs[1 - leader], 1 + random.nextInt(3000));
            assertSameReplica(logs[leader], logs[1 - leader]);

            manager.flusher().close();
            manager = LogManager.open(List.of(dir), clock, p -> config, new Random(0));
            assertSameReplica(manager.get(A).orElseThrow(), manager.get(B).orElseThrow());
        } finally {
            manager.close();
            Fs.deleteRecursively(dir);
        }
    }

    /** Found by the property: the last leader wrote nothing, the follower led an earlier epoch without writing. */
    @org.junit.jupiter.api.Test
    void shouldConvergeWhenTheLastLeaderWroteNothing() throws IOException {
        replicasShouldConvergeWhateverTheLeadershipHistory(-138870L, 2, 400);
    }

    /** A plain, compressed or idempotent batch; the idempotent producer continues the sequence this log holds. */
    private static MemoryRecords nextBatch(PartitionLog log, Random random, long now) {
        int count = 1 + random.nextInt(6);
        return switch (random.nextInt(3)) {
            case 0 -> TestBatches.batch(now, count);
            case 1 -> TestBatches.batch(Compression.gzip().build(), now, count);
            default -> {
                ProducerStateManager.ProducerEntry entry = log.producerStateForTest().entry(PID);
                int seq = entry == null ? 0 : entry.lastSeq() + 1;
                yield TestBatches.idempotent(PID, (short) 0, seq, now, count);
            }
        };
    }

    private static void assertSameReplica(PartitionLog leader, PartitionLog follower) {
        assertThat(follower.logEndOffset()).isEqualTo(leader.logEndOffset());
        assertThat(TestBatches.allBytes(follower)).isEqualTo(TestBatches.allBytes(leader));
        for (RecordBatch batch : TestBatches.batchesOf(follower.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true)
            .records())) {
            assertThat(batch.isValid()).isTrue();
        }
        // An epoch that starts at the log end holds no record: a replica that led without writing keeps it (as
        // Kafka's does, until records of a later epoch arrive), so only epochs with records must agree.
        assertThat(follower.leaderEpochs().stream().filter(e -> e.getValue() < follower.logEndOffset()).toList())
            .isEqualTo(leader.leaderEpochs().stream().filter(e -> e.getValue() < leader.logEndOffset()).toList());
        ProducerStateManager.ProducerEntry expected = leader.producerStateForTest().entry(PID);
        ProducerStateManager.ProducerEntry actual = follower.producerStateForTest().entry(PID);
        if (expected == null) {
            assertThat(actual).isNull();
        } else {
            assertThat(actual).isNotNull();
            assertThat(List.copyOf(actual.batches)).isEqualTo(List.copyOf(expected.batches));
        }
    }
}
