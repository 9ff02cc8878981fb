package io.spool.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ControllerApisTest {
    @Test
    void shouldAnswerAFailedOperationWithTheErrorForEachItem() {
        CreateTopicsRequestData create = new CreateTopicsRequestData();
        create.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("a").setNumPartitions(1)
                .setReplicationFactor((short) 1));
        create.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("b").setNumPartitions(1)
                .setReplicationFactor((short) 1));

        CreateTopicsResponseData created = (CreateTopicsResponseData) ControllerApis.errorResponse(
                ApiKeys.CREATE_TOPICS, (short) 7, create, new IllegalStateException("bug"));

        assertThat(created.topics()).extracting(CreateTopicsResponseData.CreatableTopicResult::name)
                .containsExactlyInAnyOrder("a", "b");
        assertThat(created.topics()).extracting(CreateTopicsResponseData.CreatableTopicResult::errorCode)
                .containsOnly(Errors.UNKNOWN_SERVER_ERROR.code());

        IncrementalAlterConfigsRequestData alter = new IncrementalAlterConfigsRequestData();
        alter.resources().add(new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                .setResourceType((byte) 2).setResourceName("a"));
        IncrementalAlterConfigsResponseData altered = (IncrementalAlterConfigsResponseData) ControllerApis
                .errorResponse(ApiKeys.INCREMENTAL_ALTER_CONFIGS, (short) 1, alter,
                        new InvalidConfigurationException("no"));
        assertThat(altered.responses()).singleElement().satisfies(r -> {
            assertThat(r.resourceName()).isEqualTo("a");
            assertThat(r.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        });
    }

    @Test
    void shouldBuildAnErrorAnswerForEveryControllerApiAtEveryVersion() {
        for (ApiKeys api : ControllerApiKeys.ALL) {
            for (short version = api.oldestVersion(); version <= api.latestVersion(); version++) {
                ApiMessage request = api.messageType.newRequest();
                ApiMessage answer = ControllerApis.errorResponse(api, version, request, new RuntimeException("bug"));
                assertThat(answer.apiKey()).as(api + " v" + version).isEqualTo(api.id);
            }
        }
    }
}
