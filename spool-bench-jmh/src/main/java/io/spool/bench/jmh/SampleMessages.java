package io.spool.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Request and response bodies shaped like those of real clients, as benchmark input for the codecs. Every message
 * is new on each call; building them is not part of any measurement. Stateless and thread-safe.
 */
public final class SampleMessages {

    /** The topic every sample message is about. */
    public static final Uuid TOPIC_ID = Uuid.fromString("sPoOLbEnChMaRkToPiC0Aw");

    private SampleMessages() {
    }

    /** A producer's request (acks=all) carrying one batch for each of {@code partitions} partitions of one topic. */
    public static ProduceRequestData produceRequest(int partitions, MemoryRecords batch) {
        List<ProduceRequestData.PartitionProduceData> data = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            data.add(new ProduceRequestData.PartitionProduceData().setIndex(p).setRecords(batch));
        }
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName("orders").setTopicId(TOPIC_ID)
            .setPartitionData(data));
        return new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000).setTopicData(topics);
    }

    /** A consumer's full (session-opening) fetch of {@code partitions} partitions of one topic, with its defaults. */
    public static FetchRequestData fetchRequest(int partitions) {
        List<FetchRequestData.FetchPartition> data = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            data.add(new FetchRequestData.FetchPartition().setPartition(p).setCurrentLeaderEpoch(3)
                .setFetchOffset(1_000_000L + p).setLastFetchedEpoch(3).setLogStartOffset(-1L)
                .setPartitionMaxBytes(1024 * 1024));
        }
        return new FetchRequestData().setReplicaId(-1).setMaxWaitMs(500).setMinBytes(1).setMaxBytes(50 * 1024 * 1024)
            .setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1).setRackId("")
            .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic("orders").setTopicId(TOPIC_ID)
                .setPartitions(data)));
    }

    /** The successful answer to {@link #produceRequest}: a base offset per partition. */
    public static ProduceResponseData produceResponse(int partitions) {
        List<ProduceResponseData.PartitionProduceResponse> data = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            data.add(new ProduceResponseData.PartitionProduceResponse().setIndex(p).setBaseOffset(1_000_000L + p)
                .setLogAppendTimeMs(-1L).setLogStartOffset(0L));
        }
        ProduceResponseData.TopicProduceResponseCollection topics =
            new ProduceResponseData.TopicProduceResponseCollection();
        topics.add(new ProduceResponseData.TopicProduceResponse().setName("orders").setTopicId(TOPIC_ID)
            .setPartitionResponses(data));
        return new ProduceResponseData().setResponses(topics);
    }

    /**
     * A metadata answer for a cluster of {@code brokers} brokers and {@code topics} topics of {@code partitions}
     * partitions each, replication factor 3, every replica in sync.
     */
    public static MetadataResponseData metadataResponse(int brokers, int topics, int partitions) {
        MetadataResponseData.MetadataResponseBrokerCollection nodes =
            new MetadataResponseData.MetadataResponseBrokerCollection();
        for (int b = 0; b < brokers; b++) {
            nodes.add(new MetadataResponseData.MetadataResponseBroker().setNodeId(b).setHost("broker-" + b
                + ".spool.internal").setPort(9092).setRack("rack-" + b % 3));
        }
        MetadataResponseData.MetadataResponseTopicCollection topicData =
            new MetadataResponseData.MetadataResponseTopicCollection();
        for (int t = 0; t < topics; t++) {
            List<MetadataResponseData.MetadataResponsePartition> partitionData = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                List<Integer> replicas = List.of(p % brokers, (p + 1) % brokers, (p + 2) % brokers);
                partitionData.add(new MetadataResponseData.MetadataResponsePartition().setPartitionIndex(p)
                    .setLeaderId(replicas.get(0)).setLeaderEpoch(7).setReplicaNodes(replicas).setIsrNodes(replicas)
                    .setOfflineReplicas(List.of()));
            }
            topicData.add(new MetadataResponseData.MetadataResponseTopic().setName("topic-" + t)
                .setTopicId(Uuid.randomUuid()).setPartitions(partitionData));
        }
        return new MetadataResponseData().setBrokers(nodes).setClusterId("spool-benchmark-cluster").setControllerId(0)
            .setTopics(topicData);
    }
}
