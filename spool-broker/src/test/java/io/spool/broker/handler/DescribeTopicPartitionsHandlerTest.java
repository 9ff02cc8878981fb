package io.spool.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.spool.metadata.Endpoint;
import io.spool.metadata.MetadataDelta;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.MetadataRecord;
import io.spool.metadata.PartitionRecord;
import io.spool.metadata.RegisterBrokerRecord;
import io.spool.metadata.TopicRecord;
import io.spool.metadata.UnfenceBrokerRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * DescribeTopicPartitions over an image of brokers 1 (unfenced), 2 (fenced) and 3 (unfenced), topic "a" with three
 * partitions (partition 0 leaderless with an ELR) and topic "b" with two.
 */
class DescribeTopicPartitionsHandlerTest {
    private static final Uuid A = new Uuid(1, 1);
    private static final Uuid B = new Uuid(2, 2);
    private static final String LISTENER = "PLAINTEXT";

    private final MetadataImage image = image();

    private static MetadataImage image() {
        List<MetadataRecord> records = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            records.add(new RegisterBrokerRecord(id, 10 + id, List.of(new Endpoint(LISTENER, "h", 9000 + id)), null));
            if (id != 2) {
                records.add(new UnfenceBrokerRecord(id, 10 + id));
            }
        }
        records.add(new TopicRecord("a", A));
        records.add(new PartitionRecord(A, 0, List.of(1, 2, 3), List.of(), -1, 4, 9, List.of(2, 3), List.of(1)));
        records.add(new PartitionRecord(A, 1, List.of(2, 3, 1), List.of(3, 1), 3, 2, 5, List.of(), List.of()));
        records.add(new PartitionRecord(A, 2, List.of(3, 1, 2), List.of(3), 3, 1, 3, List.of(1), List.of()));
        records.add(new TopicRecord("b", B));
        records.add(new PartitionRecord(B, 0, List.of(1), List.of(1), 1, 0, 0));
        records.add(new PartitionRecord(B, 1, List.of(3), List.of(3), 3, 0, 0));
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        records.forEach(delta::replay);
        return delta.apply(records.size());
    }

    private DescribeTopicPartitionsResponseData describe(int brokerLimit, DescribeTopicPartitionsRequestData request) {
        return new DescribeTopicPartitionsHandler(() -> image, brokerLimit).describe(image, request, LISTENER);
    }

    private static DescribeTopicPartitionsRequestData request(String... topics) {
        DescribeTopicPartitionsRequestData request = new DescribeTopicPartitionsRequestData();
        for (String topic : topics) {
            request.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName(topic));
        }
        return request;
    }

    private static List<String> partitionsOf(DescribeTopicPartitionsResponseData response) {
        List<String> all = new ArrayList<>();
        response.topics().forEach(t -> t.partitions().forEach(p -> all.add(t.name() + "-" + p.partitionIndex())));
        return all;
    }

    @Test
    void shouldReportEligibleLeaderReplicasAndLastKnownElr() {
        DescribeTopicPartitionsResponseData response = describe(2000, request("a"));

        DescribeTopicPartitionsResponseTopic topic = response.topics().find("a");
        assertThat(topic.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(topic.topicId()).isEqualTo(A);
        assertThat(topic.isInternal()).isFalse();
        assertThat(topic.topicAuthorizedOperations()).as("all topic operations, no authorizer").isEqualTo(3576);
        DescribeTopicPartitionsResponsePartition p0 = topic.partitions().get(0);
        assertThat(p0.leaderId()).isEqualTo(-1);
        assertThat(p0.leaderEpoch()).isEqualTo(4);
        assertThat(p0.replicaNodes()).containsExactly(1, 2, 3);
        assertThat(p0.isrNodes()).isEmpty();
        assertThat(p0.eligibleLeaderReplicas()).containsExactly(2, 3);
        assertThat(p0.lastKnownElr()).containsExactly(1);
        assertThat(p0.offlineReplicas()).containsExactly(2);
        assertThat(p0.errorCode()).isEqualTo(Errors.NONE.code());
        DescribeTopicPartitionsResponsePartition p2 = topic.partitions().get(2);
        assertThat(p2.leaderId()).isEqualTo(3);
        assertThat(p2.eligibleLeaderReplicas()).containsExactly(1);
        assertThat(p2.lastKnownElr()).isEmpty();
        assertThat(response.nextCursor()).isNull();
    }

    @Test
    void shouldDescribeAllTopicsInNameOrderWhenNoneIsNamed() {
        assertThat(partitionsOf(describe(2000, request()))).containsExactly("a-0", "a-1", "a-2", "b-0", "b-1");
    }

    @Test
    void shouldCutAtTheSmallerLimitAndPointTheCursorAtTheFirstPartitionLeftOut() {
        DescribeTopicPartitionsResponseData first = describe(2, request().setResponsePartitionLimit(10));
        assertThat(partitionsOf(first)).containsExactly("a-0", "a-1");
        assertThat(first.nextCursor().topicName()).isEqualTo("a");
        assertThat(first.nextCursor().partitionIndex()).isEqualTo(2);

        DescribeTopicPartitionsResponseData second = describe(2000, request().setResponsePartitionLimit(1)
                .setCursor(new DescribeTopicPartitionsRequestData.Cursor().setTopicName("a").setPartitionIndex(2)));
        assertThat(partitionsOf(second)).containsExactly("a-2");
        assertThat(second.nextCursor().topicName()).as("the limit is used up right before b").isEqualTo("b");
        assertThat(second.nextCursor().partitionIndex()).isZero();

        DescribeTopicPartitionsResponseData third = describe(2000, request().setResponsePartitionLimit(5)
                .setCursor(new DescribeTopicPartitionsRequestData.Cursor().setTopicName("b").setPartitionIndex(0)));
        assertThat(partitionsOf(third)).containsExactly("b-0", "b-1");
        assertThat(third.nextCursor()).isNull();
    }

    @Test
    void shouldAnswerAtLeastOnePartitionWhateverTheLimit() {
        assertThat(partitionsOf(describe(2000, request("b").setResponsePartitionLimit(0)))).containsExactly("b-0");
    }

    @Test
    void shouldAnswerUnknownAndInvalidTopicsWithTheirErrors() {
        DescribeTopicPartitionsResponseData response = describe(2000, request("b", "missing", "bad name!"));

        assertThat(response.topics().find("missing").errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(response.topics().find("missing").topicId()).isEqualTo(Uuid.ZERO_UUID);
        assertThat(response.topics().find("bad name!").errorCode()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
        assertThat(response.topics().find("b").errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void shouldRejectCursorOutsideTheNamedTopicsOrWithNegativePartition() {
        DescribeTopicPartitionsResponseData outside = describe(2000, request("a").setCursor(
                new DescribeTopicPartitionsRequestData.Cursor().setTopicName("b").setPartitionIndex(0)));
        assertThat(outside.topics()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("a");
            assertThat(t.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(t.partitions()).isEmpty();
        });

        DescribeTopicPartitionsResponseData negative = describe(2000, request("a").setCursor(
                new DescribeTopicPartitionsRequestData.Cursor().setTopicName("a").setPartitionIndex(-1)));
        assertThat(negative.topics().find("a").errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
    }

    @Test
    void shouldSkipTopicsBeforeTheCursor() {
        DescribeTopicPartitionsResponseData response = describe(2000, request("a", "b").setCursor(
                new DescribeTopicPartitionsRequestData.Cursor().setTopicName("b").setPartitionIndex(1)));
        assertThat(partitionsOf(response)).containsExactly("b-1");
    }
}
