package io.spool.protocol;

import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The APIs and version ranges a node serves: what the decoder accepts and what ApiVersions advertises. Nodes call
 * each other's controller through the metadata quorum, so there is nothing served but not advertised. Immutable.
 */
public final class SupportedApis {
    private final Map<ApiKeys, short[]> ranges;

    private SupportedApis(Map<ApiKeys, short[]> ranges) {
        this.ranges = ranges;
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean isSupported(ApiKeys key, short version) {
        short[] range = ranges.get(key);
        return range != null && version >= range[0] && version <= range[1];
    }

    public short maxVersion(ApiKeys key) {
        short[] range = ranges.get(key);
        return range == null ? -1 : range[1];
    }

    /** The api_keys array of an ApiVersions response. */
    public ApiVersionCollection toApiVersions() {
        ApiVersionCollection collection = new ApiVersionCollection(ranges.size());
        ranges.forEach((key, range) -> collection.add(new ApiVersion().setApiKey(key.id).setMinVersion(range[0])
                .setMaxVersion(range[1])));
        return collection;
    }

    public ApiVersionsResponseData toResponse(short errorCode) {
        return new ApiVersionsResponseData().setErrorCode(errorCode).setApiKeys(toApiVersions());
    }

    /** Collects the served ranges; each must lie within what the pinned kafka-clients message classes define. */
    public static final class Builder {
        private final Map<ApiKeys, short[]> ranges = new EnumMap<>(ApiKeys.class);

        public Builder add(ApiKeys key, int minVersion, int maxVersion) {
            if (minVersion < key.oldestVersion() || maxVersion > key.latestVersion(true) || minVersion > maxVersion) {
                throw new IllegalArgumentException(key + " " + minVersion + ".." + maxVersion + " is outside "
                        + key.oldestVersion() + ".." + key.latestVersion(true));
            }
            ranges.put(key, new short[] {(short) minVersion, (short) maxVersion});
            return this;
        }

        public SupportedApis build() {
            return new SupportedApis(new EnumMap<>(ranges));
        }
    }
}
