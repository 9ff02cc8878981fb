package io.spool.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spool.metadata.MetadataImage;
import io.spool.metadata.MetadataListener;
import io.spool.metadata.MetadataQuorum;
import io.spool.metadata.MetadataRecord;
import io.spool.metadata.NotControllerException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ControllerChannelTest {
    private static final BrokerHeartbeatRequestData HEARTBEAT = new BrokerHeartbeatRequestData().setBrokerId(4);

    @Test
    void shouldSendToTheLeaderThroughTheQuorumWhenThisNodeIsNotAController() throws Exception {
        FakeQuorum quorum = new FakeQuorum(2, (leader, request) -> answer(Errors.NONE));
        ControllerChannel channel = new ControllerChannel(4, quorum, null);

        BrokerHeartbeatResponseData response = (BrokerHeartbeatResponseData) channel
                .call(ApiKeys.BROKER_HEARTBEAT, HEARTBEAT, 5_000).get(5, TimeUnit.SECONDS);

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(quorum.targets).containsExactly(2);
    }

    @Test
    void shouldRetryAtTheNewLeaderWhenTheOldOneAnswersNotControllerOrCannotBeReached() throws Exception {
        FakeQuorum quorum = new FakeQuorum(1, null);
        quorum.send = (leader, request) -> {
            if (leader == 1) {
                quorum.leader = 2;
                return answer(Errors.NOT_CONTROLLER);
            }
            if (leader == 2) {
                quorum.leader = 3;
                return CompletableFuture.failedFuture(new NotControllerException("connection refused"));
            }
            return answer(Errors.NONE);
        };
        ControllerChannel channel = new ControllerChannel(4, quorum, null);

        BrokerHeartbeatResponseData response = (BrokerHeartbeatResponseData) channel
                .call(ApiKeys.BROKER_HEARTBEAT, HEARTBEAT, 5_000).get(5, TimeUnit.SECONDS);

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(quorum.targets).containsExactly(1, 2, 3);
    }

    @Test
    void shouldRetryCreatePartitionsWhenAnyTopicIsAnsweredNotController() {
        CreatePartitionsResponseData mixed = new CreatePartitionsResponseData();
        mixed.results().add(new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName("a")
                .setErrorCode(Errors.INVALID_PARTITIONS.code()));
        assertThat(ControllerChannel.isNotController(mixed)).isFalse();

        mixed.results().add(new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName("b")
                .setErrorCode(Errors.NOT_CONTROLLER.code()));
        assertThat(ControllerChannel.isNotController(mixed)).isTrue();
    }

    @Test
    void shouldFailWithNotControllerAfterTheDeadlineWhenNoLeaderIsKnown() {
        FakeQuorum quorum = new FakeQuorum(-1, (leader, request) -> answer(Errors.NONE));
        ControllerChannel channel = new ControllerChannel(4, quorum, null);
        long start = System.nanoTime();

        CompletableFuture<ApiMessage> call = channel.call(ApiKeys.BROKER_HEARTBEAT, HEARTBEAT, 300);

        assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(NotControllerException.class).hasMessageContaining("no active controller");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(200L, 3_000L);
        assertThat(quorum.targets).isEmpty();
    }

    @Test
    void shouldGiveUpOnAnAttemptThatIsNotAnsweredByTheDeadline() {
        FakeQuorum quorum = new FakeQuorum(2, (leader, request) -> new CompletableFuture<>());
        ControllerChannel channel = new ControllerChannel(4, quorum, null);

        CompletableFuture<ApiMessage> call = channel.call(ApiKeys.BROKER_HEARTBEAT, HEARTBEAT, 300);

        assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(NotControllerException.class);
    }

    @Test
    void shouldFailCallsWaitingToBeRetriedWhenClosed() {
        FakeQuorum quorum = new FakeQuorum(-1, null);
        ControllerChannel channel = new ControllerChannel(4, quorum, null);
        CompletableFuture<ApiMessage> call = channel.call(ApiKeys.BROKER_HEARTBEAT, HEARTBEAT, 60_000);

        channel.close();

        assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(NotControllerException.class);
    }

    private static CompletableFuture<byte[]> answer(Errors error) {
        return CompletableFuture.completedFuture(ControllerWire.encodeResponse(ApiKeys.BROKER_HEARTBEAT
                .latestVersion(), new BrokerHeartbeatResponseData().setErrorCode(error.code())));
    }

    /** A quorum this node follows without voting: a leader id, and what sending to it answers. */
    private static final class FakeQuorum implements MetadataQuorum {
        final List<Integer> targets = new CopyOnWriteArrayList<>();
        volatile int leader;
        volatile BiFunction<Integer, byte[], CompletableFuture<byte[]>> send;

        FakeQuorum(int leader, BiFunction<Integer, byte[], CompletableFuture<byte[]>> send) {
            this.leader = leader;
            this.send = send;
        }

        @Override
        public CompletableFuture<byte[]> sendToController(int leaderId, byte[] request) {
            targets.add(leaderId);
            ControllerWire.Request decoded = ControllerWire.decodeRequest(request);
            assertThat(decoded.body()).isEqualTo(HEARTBEAT);
            return send.apply(leaderId, request);
        }

        @Override
        public boolean isActiveController() {
            return false;
        }

        @Override
        public int leaderId() {
            return leader;
        }

        @Override
        public void start() {
        }

        @Override
        public CompletableFuture<Long> append(List<MetadataRecord> records) {
            return CompletableFuture.failedFuture(new NotControllerException("not the controller"));
        }

        @Override
        public MetadataImage image() {
            return MetadataImage.EMPTY;
        }

        @Override
        public void addListener(MetadataListener listener) {
        }

        @Override
        public void close() {
        }
    }
}
