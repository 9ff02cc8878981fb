package io.spool.it;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * Generators of hostile request frames, all drawn from one seeded {@link Random} so a failing run replays. Valid
 * templates used for mutation never name a topic whose data a test checks, and never create or delete topics.
 * Stateless apart from the caller's {@code Random}.
 */
final class HostileFrames {
    private HostileFrames() {
    }

    static byte[] randomBytes(Random random, int maxLength) {
        byte[] bytes = new byte[random.nextInt(maxLength + 1)];
        random.nextBytes(bytes);
        return bytes;
    }

    /**
     * A frame size a broker must refuse before reading the body: zero, negative, or above {@code maxFrameBytes}
     * (with a bias to the 2 GB an attacker would declare to make a broker allocate).
     */
    static int badSize(Random random, int maxFrameBytes) {
        if (random.nextBoolean()) {
            return Integer.MAX_VALUE - random.nextInt(64);
        }
        switch (random.nextInt(6)) {
            case 0:
                return 0;
            case 1:
                return -1;
            case 2:
                return Integer.MIN_VALUE + random.nextInt(1000);
            case 3:
                return -1 - random.nextInt(Integer.MAX_VALUE);
            case 4:
                return maxFrameBytes + 1;
            default:
                return maxFrameBytes + 1 + random.nextInt(Integer.MAX_VALUE - maxFrameBytes);
        }
    }

    /** A short that is no Kafka API key. */
    static short unknownApiKey(Random random) {
        while (true) {
            short key = (short) random.nextInt(1 << 16);
            if (!ApiKeys.hasId(key)) {
                return key;
            }
        }
    }

    /**
     * A valid body of an API this broker serves, reading only {@code readTopic} (which must exist) or topics no
     * other request names, and producing only to {@code scratchTopic}; null for APIs that change metadata
     * (CreateTopics, DeleteTopics), which are only fed random bodies. A mutated Metadata request may auto-create its
     * absent topic, so Fetch names a different one: a Fetch of an existing empty partition would rightly wait for
     * its (mutated, possibly hours long) max wait.
     */
    static ApiMessage template(ApiKeys key, Random random, String readTopic, String scratchTopic) {
        switch (key) {
            case API_VERSIONS:
                return new ApiVersionsRequestData().setClientSoftwareName("hostile").setClientSoftwareVersion("1.0");
            case METADATA:
                return new MetadataRequestData().setAllowAutoTopicCreation(false).setTopics(List.of(
                        new MetadataRequestTopic().setName(readTopic),
                        new MetadataRequestTopic().setName("hostile-absent-metadata")));
            case LIST_OFFSETS:
                return new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(new ListOffsetsTopic()
                        .setName(readTopic).setPartitions(List.of(new ListOffsetsPartition().setPartitionIndex(0)
                                .setTimestamp(-1L - random.nextInt(2))))));
            case FETCH:
                // An absent topic: the broker answers at once, so no legitimate long poll can pass for a hang.
                FetchTopic absent = new FetchTopic().setTopic("hostile-absent-fetched-topic")
                        .setTopicId(new Uuid(random.nextLong(), random.nextLong()))
                        .setPartitions(List.of(new FetchPartition().setPartition(0).setFetchOffset(0)
                                .setPartitionMaxBytes(1 << 20)));
                return new FetchRequestData().setReplicaId(-1).setMaxWaitMs(500).setMinBytes(1).setMaxBytes(1 << 20)
                        .setSessionId(0).setSessionEpoch(-1).setTopics(List.of(absent));
            case PRODUCE:
                return BadBatches.produce(scratchTopic, 0, (short) 1, BadBatches.valid(random, 1 + random.nextInt(5),
                        64));
            case DESCRIBE_CONFIGS:
                return new DescribeConfigsRequestData().setResources(List.of(new DescribeConfigsResource()
                        .setResourceType((byte) 2).setResourceName(readTopic).setConfigurationKeys(null)));
            case DESCRIBE_CLUSTER:
                return new DescribeClusterRequestData();
            case INIT_PRODUCER_ID:
                return new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000);
            default:
                return null;
        }
    }

    /** A request body and the version it is written in. */
    record Body(short version, byte[] bytes) {
    }

    /**
     * The body of {@code message} at {@code version}, or else at the newest version in {@code [min, max]} that can
     * hold every field it sets; null if none can.
     */
    static Body serialize(ApiMessage message, short version, short min, short max) {
        try {
            return new Body(version, serialize(message, version));
        } catch (UnsupportedVersionException e) {
            for (short v = max; v >= min; v--) {
                try {
                    return new Body(v, serialize(message, v));
                } catch (UnsupportedVersionException tooNew) {
                    // Try an older version.
                }
            }
            return null;
        }
    }

    private static byte[] serialize(ApiMessage message, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer buffer = ByteBuffer.allocate(message.size(cache, version));
        message.write(new ByteBufferAccessor(buffer), cache, version);
        return buffer.array();
    }

    /** Flips, truncates or extends a valid body. */
    static byte[] mutate(Random random, byte[] body) {
        byte[] out;
        switch (random.nextInt(4)) {
            case 0:
                out = java.util.Arrays.copyOf(body, random.nextInt(body.length + 1));
                break;
            case 1:
                out = java.util.Arrays.copyOf(body, body.length + 1 + random.nextInt(32));
                for (int i = body.length; i < out.length; i++) {
                    out[i] = (byte) random.nextInt(256);
                }
                break;
            default:
                out = body.clone();
                int flips = 1 + random.nextInt(8);
                for (int i = 0; i < flips && out.length > 0; i++) {
                    int at = random.nextInt(out.length);
                    out[at] = (byte) (random.nextBoolean() ? random.nextInt(256) : out[at] ^ (1 << random.nextInt(8)));
                }
        }
        return out;
    }

    /** A request header for {@code key} at {@code version}, with a random client id (sometimes null). */
    static RequestHeaderData header(Random random, short key, short version, int correlationId) {
        String clientId = random.nextInt(8) == 0 ? null : "hostile-" + random.nextInt(1000);
        return new RequestHeaderData().setRequestApiKey(key).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId(clientId);
    }
}
