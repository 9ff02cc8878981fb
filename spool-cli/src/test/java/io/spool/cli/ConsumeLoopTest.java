package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConsumeLoopTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final AtomicLong clock = new AtomicLong();
    private boolean commit;

    @BeforeEach
    void assignTwoPartitions() {
        consumer.assign(List.of(P0, P1));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    }

    @Test
    void shouldStopAtEndOffsetsObservedAtStartWhenNotFollowing() {
        addRecords(P0, 5);
        addRecords(P1, 1);

        ConsumeLoop loop = loop(Map.of(P0, 3L, P1, 1L), Long.MAX_VALUE, Long.MAX_VALUE);

        assertThat(loop.run()).isEqualTo(ConsumeLoop.Outcome.REACHED_END);
        assertThat(lines()).containsExactlyInAnyOrder("0:0", "0:1", "0:2", "1:0");
        assertThat(loop.printed()).isEqualTo(4);
    }

    @Test
    void shouldStopWithoutPollingWhenTopicIsEmpty() {
        ConsumeLoop loop = loop(Map.of(P0, 0L, P1, 0L), Long.MAX_VALUE, Long.MAX_VALUE);

        assertThat(loop.run()).isEqualTo(ConsumeLoop.Outcome.REACHED_END);
        assertThat(lines()).isEmpty();
    }

    @Test
    void shouldStopAfterMaxMessagesWhenFewerThanAvailable() {
        addRecords(P0, 5);

        ConsumeLoop loop = loop(Map.of(P0, 5L, P1, 0L), 2, Long.MAX_VALUE);

        assertThat(loop.run()).isEqualTo(ConsumeLoop.Outcome.MAX_MESSAGES);
        assertThat(lines()).containsExactly("0:0", "0:1");
    }

    @Test
    void shouldStopWhenIdleForTheTimeoutWhileFollowing() {
        addRecords(P0, 1);

        ConsumeLoop loop = loop(null, Long.MAX_VALUE, 250);

        assertThat(loop.run()).isEqualTo(ConsumeLoop.Outcome.IDLE_TIMEOUT);
        assertThat(lines()).containsExactly("0:0");
    }

    @Test
    void shouldReportIdleTimeoutWhenEndIsNotReachedInTime() {
        addRecords(P0, 1);

        ConsumeLoop loop = loop(Map.of(P0, 3L, P1, 0L), Long.MAX_VALUE, 250);

        assertThat(loop.run()).isEqualTo(ConsumeLoop.Outcome.IDLE_TIMEOUT);
        assertThat(lines()).containsExactly("0:0");
    }

    @Test
    void shouldStopCleanlyWhenWokenUp() {
        consumer.wakeup();

        ConsumeLoop loop = loop(null, Long.MAX_VALUE, Long.MAX_VALUE);

        assertThat(loop.run()).isEqualTo(ConsumeLoop.Outcome.STOPPED);
    }

    @Test
    void shouldCommitOnlyPrintedRecordsWhenStoppingAtMaxMessagesInAGroup() {
        addRecords(P0, 5);
        commit = true;

        loop(null, 2, Long.MAX_VALUE).run();

        assertThat(consumer.committed(Set.of(P0))).containsEntry(P0, new OffsetAndMetadata(2, Optional.empty(), ""));
    }

    @Test
    void shouldNotCommitPastTheEndOffsetsWhenNotFollowingInAGroup() {
        addRecords(P0, 5);
        commit = true;

        loop(Map.of(P0, 3L, P1, 0L), Long.MAX_VALUE, Long.MAX_VALUE).run();

        assertThat(consumer.committed(Set.of(P0)).get(P0).offset()).isEqualTo(3);
    }

    @Test
    void shouldCommitNothingWhenNotInAGroup() {
        addRecords(P0, 2);

        loop(null, 2, Long.MAX_VALUE).run();

        assertThat(consumer.committed(Set.of(P0)).get(P0)).isNull();
    }

    private ConsumeLoop loop(Map<TopicPartition, Long> ends, long maxMessages, long idleTimeoutMs) {
        RecordFormatter formatter = new RecordFormatter(new RecordFormatter.Fields(false, false, false, true, false),
                ":");
        return new ConsumeLoop(consumer, formatter, new PrintStream(out, false, StandardCharsets.UTF_8), ends,
                maxMessages, idleTimeoutMs, () -> clock.addAndGet(100), commit);
    }

    private void addRecords(TopicPartition tp, int count) {
        for (int i = 0; i < count; i++) {
            String key = String.valueOf(tp.partition());
            consumer.addRecord(new ConsumerRecord<>(tp.topic(), tp.partition(), i,
                    key.getBytes(StandardCharsets.UTF_8), String.valueOf(i).getBytes(StandardCharsets.UTF_8)));
        }
    }

    private List<String> lines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
