package io.spool.broker.handler;

import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.metadata.BrokerRegistration;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.PartitionRecord;
import io.spool.metadata.TopicImage;
import io.spool.metadata.TopicNames;
import io.spool.protocol.KafkaRequest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.Cursor;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeTopicPartitions (API key 75, v0, KIP-966): the partitions of the requested topics (all topics if none is
 * named) in topic-name then partition order, with leader, epoch, replicas, ISR, eligible leader replicas, last known
 * ELR and offline replicas, answered from this broker's metadata image as Kafka's broker does. Stateless and
 * thread-safe.
 *
 * <p>Pagination: only topics whose name is not before the cursor's are described, the cursor's topic from the
 * cursor's partition. At most {@code min(ResponsePartitionLimit, max.request.partition.size.limit)} partitions (at
 * least one) are returned; when the limit cuts a topic, {@code NextCursor} names it and its first partition left
 * out; when the limit is used up exactly before a topic, {@code NextCursor} names that topic at partition 0.
 *
 * <p>Errors: a named topic that does not exist gets {@code UNKNOWN_TOPIC_OR_PARTITION}, or
 * {@code INVALID_TOPIC_EXCEPTION} if its name is not a legal topic name (unknown topics are left out when all topics
 * are asked for). {@code INVALID_REQUEST} on every named topic when the cursor's topic is not among the named
 * topics or the cursor's partition is negative. {@code TopicAuthorizedOperations} holds every topic operation, as
 * from a Kafka broker without an authorizer. A partition never carries an error; a leader that is not registered
 * with the client's listener is reported as -1.
 */
public final class DescribeTopicPartitionsHandler implements RequestHandler {
    /** Kafka's {@code max.request.partition.size.limit} default. */
    public static final int DEFAULT_PARTITION_LIMIT = 2000;
    private static final int TOPIC_OPERATIONS = bitField(EnumSet.of(AclOperation.READ, AclOperation.WRITE,
            AclOperation.CREATE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE,
            AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS));

    private final Supplier<MetadataImage> image;
    private final int partitionLimit;

    /**
     * @param partitionLimit {@code max.request.partition.size.limit}: the most partitions one response holds
     */
    public DescribeTopicPartitionsHandler(Supplier<MetadataImage> image, int partitionLimit) {
        this.image = image;
        this.partitionLimit = partitionLimit;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        return CompletableFuture.completedFuture(describe(image.get(), request.body(), connection.listenerName()));
    }

    /** The answer to {@code request} from {@code metadata}, with endpoints of {@code listenerName}. */
    DescribeTopicPartitionsResponseData describe(MetadataImage metadata, DescribeTopicPartitionsRequestData request,
            String listenerName) {
        boolean all = request.topics().isEmpty();
        DescribeTopicPartitionsRequestData.Cursor cursor = request.cursor();
        String cursorTopic = cursor == null ? "" : cursor.topicName();
        TreeSet<String> names = new TreeSet<>();
        if (all) {
            metadata.topics().topicsByName().keySet().stream().filter(n -> n.compareTo(cursorTopic) >= 0)
                    .forEach(names::add);
        } else {
            request.topics().stream().map(DescribeTopicPartitionsRequestData.TopicRequest::name)
                    .filter(n -> n != null && n.compareTo(cursorTopic) >= 0).forEach(names::add);
        }
        if ((cursor != null && !all && !names.contains(cursor.topicName()))
                || (cursor != null && cursor.partitionIndex() < 0)) {
            return invalidRequest(request);
        }
        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsResponseData();
        int remaining = Math.max(Math.min(partitionLimit, request.responsePartitionLimit()), 1);
        for (String name : names) {
            if (remaining == 0) {
                response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(0));
                break;
            }
            Optional<TopicImage> topic = metadata.topics().byName(name);
            if (topic.isEmpty()) {
                if (!all) {
                    response.topics().add(unknown(name));
                }
                continue;
            }
            int start = name.equals(cursorTopic) ? cursor.partitionIndex() : 0;
            int size = topic.get().partitions().size();
            int end = (int) Math.min(size, (long) start + remaining);
            DescribeTopicPartitionsResponseTopic described = new DescribeTopicPartitionsResponseTopic()
                    .setErrorCode(Errors.NONE.code()).setName(name).setTopicId(topic.get().id())
                    .setIsInternal(TopicNames.isInternal(name)).setTopicAuthorizedOperations(TOPIC_OPERATIONS);
            for (int index = start; index < end; index++) {
                PartitionRecord partition = topic.get().partition(index);
                if (partition != null) {
                    described.partitions().add(partition(metadata, partition, listenerName));
                }
            }
            response.topics().add(described);
            if (end < size) {
                response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(end));
                break;
            }
            remaining -= Math.max(0, end - start);
        }
        return response;
    }

    private static DescribeTopicPartitionsResponsePartition partition(MetadataImage metadata,
            PartitionRecord partition, String listenerName) {
        List<Integer> offline = new ArrayList<>();
        for (int replica : partition.replicas()) {
            Optional<BrokerRegistration> registration = metadata.cluster().registration(replica);
            if (registration.isEmpty() || registration.get().fenced()
                    || MetadataHandler.endpointFor(registration.get().record(), listenerName).isEmpty()) {
                offline.add(replica);
            }
        }
        boolean leaderReachable = metadata.cluster().registration(partition.leader())
                .flatMap(r -> MetadataHandler.endpointFor(r.record(), listenerName)).isPresent();
        return new DescribeTopicPartitionsResponsePartition()
                .setErrorCode(Errors.NONE.code())
                .setPartitionIndex(partition.partition())
                .setLeaderId(leaderReachable ? partition.leader() : PartitionRecord.NO_LEADER)
                .setLeaderEpoch(partition.leaderEpoch())
                .setReplicaNodes(new ArrayList<>(partition.replicas()))
                .setIsrNodes(new ArrayList<>(partition.isr()))
                .setEligibleLeaderReplicas(new ArrayList<>(partition.elr()))
                .setLastKnownElr(new ArrayList<>(partition.lastKnownElr()))
                .setOfflineReplicas(offline);
    }

    private static DescribeTopicPartitionsResponseTopic unknown(String name) {
        Errors error = TopicNames.validate(name).isPresent() ? Errors.INVALID_TOPIC_EXCEPTION
                : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        return new DescribeTopicPartitionsResponseTopic().setErrorCode(error.code()).setName(name)
                .setTopicId(Uuid.ZERO_UUID).setIsInternal(TopicNames.isInternal(name));
    }

    /** Kafka's answer to a request it rejects as a whole: the error on every named topic. */
    private static DescribeTopicPartitionsResponseData invalidRequest(DescribeTopicPartitionsRequestData request) {
        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsResponseData();
        request.topics().forEach(t -> response.topics().add(new DescribeTopicPartitionsResponseTopic()
                .setName(t.name()).setErrorCode(Errors.INVALID_REQUEST.code()).setIsInternal(false)));
        return response;
    }

    private static int bitField(EnumSet<AclOperation> operations) {
        int bits = 0;
        for (AclOperation operation : operations) {
            bits |= 1 << operation.code();
        }
        return bits;
    }
}
