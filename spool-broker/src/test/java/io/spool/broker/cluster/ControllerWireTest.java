package io.spool.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ControllerWireTest {
    @Test
    void shouldStartARequestWithItsApiKeyAndVersion() {
        byte[] bytes = ControllerWire.encodeRequest(ApiKeys.BROKER_HEARTBEAT, (short) 1,
                new BrokerHeartbeatRequestData().setBrokerId(2));
        assertThat(ByteBuffer.wrap(bytes).getShort()).isEqualTo((short) 0x3F);
        assertThat(ByteBuffer.wrap(bytes).getShort(2)).isEqualTo((short) 1);
    }

    @Test
    void shouldReadBackEveryControllerRequestWhenWrittenAtEachOfItsVersions() {
        for (ApiKeys api : ControllerApiKeys.ALL) {
            for (short version = api.oldestVersion(); version <= api.latestVersion(); version++) {
                ApiMessage request = api.messageType.newRequest();
                ControllerWire.Request decoded = ControllerWire.decodeRequest(
                        ControllerWire.encodeRequest(api, version, request));
                assertThat(decoded.api()).isEqualTo(api);
                assertThat(decoded.version()).isEqualTo(version);
                assertThat(decoded.body()).isEqualTo(request);
            }
        }
    }

    @Test
    void shouldKeepTheFieldsOfARequestAndAResponse() {
        AlterPartitionRequestData request = new AlterPartitionRequestData().setBrokerId(3).setBrokerEpoch(42);
        request.topics().add(new AlterPartitionRequestData.TopicData().setTopicId(Uuid.randomUuid())
                .setPartitions(new ArrayList<>(List.of(new AlterPartitionRequestData.PartitionData()
                        .setPartitionIndex(1).setLeaderEpoch(7).setPartitionEpoch(9)))));
        short version = ApiKeys.ALTER_PARTITION.latestVersion();
        assertThat(ControllerWire.decodeRequest(ControllerWire.encodeRequest(ApiKeys.ALTER_PARTITION, version,
                request)).body()).isEqualTo(request);

        CreateTopicsResponseData response = new CreateTopicsResponseData();
        response.topics().add(new CreateTopicsResponseData.CreatableTopicResult().setName("orders")
                .setErrorCode(Errors.NOT_CONTROLLER.code()));
        assertThat(ControllerWire.decodeResponse(ApiKeys.CREATE_TOPICS, (short) 7,
                ControllerWire.encodeResponse((short) 7, response))).isEqualTo(response);
    }

    @Test
    void shouldFailARequestWhenTheApisDoNotServeIt() {
        byte[] bytes = ControllerWire.encodeRequest(ApiKeys.METADATA, (short) 12, new MetadataRequestData());
        assertThatThrownBy(() -> ControllerWire.server((api, version, body) -> {
            throw new IllegalArgumentException("Not a controller API: " + api);
        }).handle(bytes).get()).cause().isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseARequestWhenItsApiKeyIsUnknown() {
        assertThatThrownBy(() -> ControllerWire.decodeRequest(new byte[] {0x7F, 0, 0, 0}))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Unknown API key");
    }

    @Test
    void shouldRefuseARequestWhenItIsTruncatedOrOfAnUnknownVersion() {
        assertThatThrownBy(() -> ControllerWire.decodeRequest(new byte[] {0, 63}))
                .isInstanceOf(InvalidRequestException.class);
        byte[] future = ControllerWire.encodeRequest(ApiKeys.BROKER_HEARTBEAT, (short) 1,
                new BrokerHeartbeatRequestData());
        ByteBuffer.wrap(future).putShort(2, (short) 99);
        assertThatThrownBy(() -> ControllerWire.decodeRequest(future)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("v99");
        byte[] cut = java.util.Arrays.copyOf(future, 6);
        ByteBuffer.wrap(cut).putShort(2, (short) 1);
        assertThatThrownBy(() -> ControllerWire.decodeRequest(cut)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void shouldAnswerWithTheEncodedResponseOfTheApis() throws Exception {
        BrokerHeartbeatResponseData expected = new BrokerHeartbeatResponseData()
                .setErrorCode(Errors.NOT_CONTROLLER.code()).setIsFenced(true);
        byte[] request = ControllerWire.encodeRequest(ApiKeys.BROKER_HEARTBEAT, (short) 1,
                new BrokerHeartbeatRequestData().setBrokerId(2));
        assertThat(ControllerWire.decodeResponse(ApiKeys.BROKER_HEARTBEAT, (short) 1,
                ControllerWire.server((api, version, body) -> java.util.concurrent.CompletableFuture
                        .completedFuture(expected)).handle(request).get())).isEqualTo(expected);
    }
}
