package io.spool.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

class SupportedApisTest {

    @Test
    void shouldAcceptOnlyTheServedVersions() {
        SupportedApis apis = SupportedApis.builder().add(ApiKeys.METADATA, 4, 12).build();

        assertThat(apis.isSupported(ApiKeys.METADATA, (short) 12)).isTrue();
        assertThat(apis.isSupported(ApiKeys.METADATA, (short) 3)).isFalse();
        assertThat(apis.isSupported(ApiKeys.BROKER_HEARTBEAT, (short) 0)).isFalse();
    }

    @Test
    void shouldAdvertiseEveryPublicApi() {
        SupportedApis apis = SupportedApis.builder().add(ApiKeys.METADATA, 0, 12).add(ApiKeys.FETCH, 4, 17).build();

        assertThat(apis.toApiVersions()).extracting(ApiVersion::apiKey)
                .containsExactlyInAnyOrder(ApiKeys.METADATA.id, ApiKeys.FETCH.id);
    }
}
