package io.spool.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

class SupportedApisTest {

    @Test
    void shouldAcceptButNotAdvertiseInternalApis() {
        SupportedApis apis = SupportedApis.builder().add(ApiKeys.METADATA, 0, 12)
                .addInternal(ApiKeys.BROKER_HEARTBEAT, 0, 1).build();

        assertThat(apis.isSupported(ApiKeys.BROKER_HEARTBEAT, (short) 1)).isTrue();
        assertThat(apis.isSupported(ApiKeys.BROKER_HEARTBEAT, (short) 2)).isFalse();
        assertThat(apis.toApiVersions()).extracting(ApiVersion::apiKey).containsExactly(ApiKeys.METADATA.id);
    }

    @Test
    void shouldAdvertiseEveryPublicApi() {
        SupportedApis apis = SupportedApis.builder().add(ApiKeys.METADATA, 0, 12).add(ApiKeys.FETCH, 4, 17).build();

        assertThat(apis.toApiVersions()).extracting(ApiVersion::apiKey)
                .containsExactlyInAnyOrder(ApiKeys.METADATA.id, ApiKeys.FETCH.id);
    }
}
