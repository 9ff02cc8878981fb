package io.spool.broker.cluster;

import io.spool.broker.handler.TopicConfigView;
import io.spool.metadata.Controller;
import io.spool.metadata.CreatePartitionsSpec;
import io.spool.metadata.CreateTopicResult;
import io.spool.metadata.CreateTopicSpec;
import io.spool.metadata.DeleteTopicResult;
import io.spool.metadata.ElectLeaderResult;
import io.spool.metadata.Endpoint;
import io.spool.metadata.MetadataQuorum;
import io.spool.metadata.PartitionRecord;
import io.spool.metadata.QuorumState;
import io.spool.metadata.ReassignmentResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.AllocateProducerIdsRequestData;
import org.apache.kafka.common.message.AllocateProducerIdsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's side of the Kafka-protocol APIs that reach it: each request message becomes a call on this
 * node's {@link Controller} and its outcome a response message. Used by the network handlers of this node and by
 * the {@link ControllerChannel} when this node is itself the active controller. A controller that is not active
 * answers NOT_CONTROLLER, which the caller's channel retries elsewhere. Stateless apart from its collaborators.
 */
public final class ControllerApis {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerApis.class);
    private final Controller controller;
    private final TopicConfigView topicConfigs;
    private final MetadataQuorum quorum;
    private final Map<Integer, Endpoint> voterEndpoints;

    /**
     * @param voterEndpoints the CONTROLLER listener of every voter, by node id (DescribeQuorum v2 lists them)
     */
    public ControllerApis(Controller controller, TopicConfigView topicConfigs, MetadataQuorum quorum,
            Map<Integer, Endpoint> voterEndpoints) {
        this.controller = controller;
        this.topicConfigs = topicConfigs;
        this.quorum = quorum;
        this.voterEndpoints = Map.copyOf(voterEndpoints);
    }

    public CompletableFuture<ApiMessage> handle(ApiKeys api, short version, ApiMessage request) {
        CompletableFuture<? extends ApiMessage> result = switch (api) {
            case CREATE_TOPICS -> createTopics(version, (CreateTopicsRequestData) request);
            case DELETE_TOPICS -> deleteTopics((DeleteTopicsRequestData) request);
            case CREATE_PARTITIONS -> createPartitions((CreatePartitionsRequestData) request);
            case BROKER_REGISTRATION -> registerBroker((BrokerRegistrationRequestData) request);
            case BROKER_HEARTBEAT -> heartbeat((BrokerHeartbeatRequestData) request);
            case ALTER_PARTITION -> alterPartition(version, (AlterPartitionRequestData) request);
            case ALLOCATE_PRODUCER_IDS -> allocateProducerIds((AllocateProducerIdsRequestData) request);
            case DESCRIBE_QUORUM -> CompletableFuture.completedFuture(describeQuorum());
            case ELECT_LEADERS -> electLeaders((ElectLeadersRequestData) request);
            case ALTER_PARTITION_REASSIGNMENTS ->
                    alterReassignments(version, (AlterPartitionReassignmentsRequestData) request);
            case LIST_PARTITION_REASSIGNMENTS ->
                    listReassignments((ListPartitionReassignmentsRequestData) request);
            case INCREMENTAL_ALTER_CONFIGS -> ConfigApis.incrementalAlterConfigs(controller,
                    (org.apache.kafka.common.message.IncrementalAlterConfigsRequestData) request);
            case ALTER_CONFIGS -> ConfigApis.alterConfigs(controller,
                    (org.apache.kafka.common.message.AlterConfigsRequestData) request);
            default -> throw new IllegalArgumentException("Not a controller API: " + api);
        };
        return result.handle((response, error) -> {
            if (error == null) {
                return (ApiMessage) response;
            }
            Throwable cause = unwrap(error);
            if (errorOf(cause) == Errors.NOT_CONTROLLER || cause instanceof RejectedExecutionException) {
                // Not (or no longer, the controller is closing) the active controller: the channel asks again.
                throw error instanceof CompletionException c ? c : new CompletionException(error);
            }
            // The operation itself failed: asked again it fails again, so the caller gets an answer now rather than
            // retries until its deadline.
            if (!(cause instanceof ApiException)) {
                LOG.error("The controller failed a {} request", api, cause);
            }
            return errorResponse(api, version, request, cause);
        });
    }

    /**
     * {@code request}'s own response with {@code error}'s code for each of its items (UNKNOWN_SERVER_ERROR unless it
     * is a Kafka API exception), as Kafka's controller answers an operation that failed.
     */
    static ApiMessage errorResponse(ApiKeys api, short version, ApiMessage request, Throwable error) {
        AbstractRequest parsed = AbstractRequest.parseRequest(api, version,
                MessageUtil.toByteBufferAccessor(request, version)).request;
        return parsed.getErrorResponse(0, error).data();
    }

    private CompletableFuture<CreateTopicsResponseData> createTopics(short version, CreateTopicsRequestData data) {
        List<CreateTopicSpec> specs = new ArrayList<>();
        for (CreateTopicsRequestData.CreatableTopic topic : data.topics()) {
            Map<Integer, List<Integer>> assignments = new HashMap<>();
            for (CreateTopicsRequestData.CreatableReplicaAssignment a : topic.assignments()) {
                assignments.put(a.partitionIndex(), a.brokerIds());
            }
            Map<String, String> configs = new LinkedHashMap<>();
            for (CreateTopicsRequestData.CreatableTopicConfig c : topic.configs()) {
                configs.put(c.name(), c.value());
            }
            specs.add(new CreateTopicSpec(topic.name(), topic.numPartitions(), topic.replicationFactor(),
                    assignments, configs));
        }
        return controller.createTopics(specs, data.validateOnly()).thenApply(results -> {
            CreateTopicsResponseData response = new CreateTopicsResponseData();
            for (CreateTopicResult r : results) {
                CreateTopicsResponseData.CreatableTopicResult out = new CreateTopicsResponseData.CreatableTopicResult()
                        .setName(r.name()).setErrorCode(r.error().code()).setErrorMessage(r.message());
                if (r.error() == Errors.NONE) {
                    out.setTopicId(r.topicId()).setNumPartitions(r.numPartitions())
                            .setReplicationFactor(r.replicationFactor());
                    if (version >= 5) {
                        for (TopicConfigView.Entry e : topicConfigs.describe(r.configs(), false, false)) {
                            out.configs().add(new CreateTopicsResponseData.CreatableTopicConfigs().setName(e.name())
                                    .setValue(e.value()).setReadOnly(false).setConfigSource(e.source())
                                    .setIsSensitive(false));
                        }
                    }
                }
                response.topics().add(out);
            }
            return response;
        });
    }

    private CompletableFuture<CreatePartitionsResponseData> createPartitions(CreatePartitionsRequestData data) {
        List<CreatePartitionsSpec> specs = new ArrayList<>();
        for (CreatePartitionsRequestData.CreatePartitionsTopic topic : data.topics()) {
            List<List<Integer>> assignments = topic.assignments() == null ? null : topic.assignments().stream()
                    .map(a -> List.copyOf(a.brokerIds())).toList();
            specs.add(new CreatePartitionsSpec(topic.name(), topic.count(), assignments));
        }
        return controller.createPartitions(specs, data.validateOnly()).thenApply(results -> {
            CreatePartitionsResponseData response = new CreatePartitionsResponseData();
            results.forEach(r -> response.results().add(new CreatePartitionsResponseData.CreatePartitionsTopicResult()
                    .setName(r.name()).setErrorCode(r.error().code()).setErrorMessage(r.message())));
            return response;
        });
    }

    private CompletableFuture<DeleteTopicsResponseData> deleteTopics(DeleteTopicsRequestData data) {
        List<String> names = new ArrayList<>(data.topicNames());
        List<Uuid> ids = new ArrayList<>();
        for (DeleteTopicsRequestData.DeleteTopicState state : data.topics()) {
            if (state.name() != null) {
                names.add(state.name());
            } else {
                ids.add(state.topicId());
            }
        }
        return controller.deleteTopics(names, ids).thenApply(results -> {
            DeleteTopicsResponseData response = new DeleteTopicsResponseData();
            for (DeleteTopicResult r : results) {
                response.responses().add(new DeleteTopicsResponseData.DeletableTopicResult().setName(r.name())
                        .setTopicId(r.id() == null ? Uuid.ZERO_UUID : r.id()).setErrorCode(r.error().code())
                        .setErrorMessage(r.error() == Errors.NONE ? null : r.message()));
            }
            return response;
        });
    }

    private CompletableFuture<BrokerRegistrationResponseData> registerBroker(BrokerRegistrationRequestData data) {
        List<Endpoint> endpoints = new ArrayList<>();
        data.listeners().forEach(l -> endpoints.add(new Endpoint(l.name(), l.host(), l.port())));
        return controller.registerBroker(data.brokerId(), data.clusterId(), endpoints, data.rack(),
                data.previousBrokerEpoch())
                .handle((reply, error) -> error != null
                        ? new BrokerRegistrationResponseData().setErrorCode(errorOf(error).code())
                        : new BrokerRegistrationResponseData().setErrorCode(reply.error().code())
                                .setBrokerEpoch(reply.brokerEpoch()));
    }

    private CompletableFuture<BrokerHeartbeatResponseData> heartbeat(BrokerHeartbeatRequestData data) {
        return controller.heartbeat(data.brokerId(), data.brokerEpoch(), data.currentMetadataOffset(),
                data.wantFence(), data.wantShutDown()).handle((reply, error) -> error != null
                        ? new BrokerHeartbeatResponseData().setErrorCode(errorOf(error).code()).setIsFenced(true)
                        : new BrokerHeartbeatResponseData().setErrorCode(reply.error().code())
                                .setIsFenced(reply.fenced()).setShouldShutDown(reply.shouldShutDown())
                                .setIsCaughtUp(true));
    }

    private CompletableFuture<AlterPartitionResponseData> alterPartition(short version,
            AlterPartitionRequestData data) {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        AlterPartitionResponseData response = new AlterPartitionResponseData();
        for (AlterPartitionRequestData.TopicData topic : data.topics()) {
            AlterPartitionResponseData.TopicData topicOut = new AlterPartitionResponseData.TopicData()
                    .setTopicId(topic.topicId());
            response.topics().add(topicOut);
            for (AlterPartitionRequestData.PartitionData p : topic.partitions()) {
                List<Integer> isr = new ArrayList<>();
                if (version >= 3) {
                    p.newIsrWithEpochs().forEach(b -> isr.add(b.brokerId()));
                } else {
                    isr.addAll(p.newIsr());
                }
                AlterPartitionResponseData.PartitionData out = new AlterPartitionResponseData.PartitionData()
                        .setPartitionIndex(p.partitionIndex());
                topicOut.partitions().add(out);
                pending.add(controller.alterPartition(data.brokerId(), data.brokerEpoch(), topic.topicId(),
                        p.partitionIndex(), p.leaderEpoch(), p.partitionEpoch(), isr).handle((reply, error) -> {
                            if (error != null) {
                                out.setErrorCode(errorOf(error).code());
                                return null;
                            }
                            out.setErrorCode(reply.error().code());
                            PartitionRecord state = reply.partition();
                            if (state != null) {
                                out.setLeaderId(state.leader()).setLeaderEpoch(state.leaderEpoch())
                                        .setIsr(new ArrayList<>(state.isr())).setPartitionEpoch(state.partitionEpoch());
                            }
                            return null;
                        }));
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            boolean notController = response.topics().stream().flatMap(t -> t.partitions().stream())
                    .anyMatch(p -> p.errorCode() == Errors.NOT_CONTROLLER.code());
            return notController ? new AlterPartitionResponseData().setErrorCode(Errors.NOT_CONTROLLER.code())
                    : response;
        });
    }

    private CompletableFuture<AllocateProducerIdsResponseData> allocateProducerIds(
            AllocateProducerIdsRequestData data) {
        return controller.allocateProducerIds(data.brokerId(), io.spool.broker.handler.ProducerIdManager.BLOCK_SIZE).handle((block, error) ->
                error != null ? new AllocateProducerIdsResponseData().setErrorCode(errorOf(error).code())
                        : new AllocateProducerIdsResponseData().setProducerIdStart(block.firstProducerId())
                                .setProducerIdLen(block.size()));
    }

    /** ElectLeaders: preferred (type 0) or unclean (type 1); no partitions listed means every partition. */
    private CompletableFuture<ElectLeadersResponseData> electLeaders(ElectLeadersRequestData data) {
        List<TopicPartition> partitions = null;
        if (data.topicPartitions() != null) {
            partitions = new ArrayList<>();
            for (ElectLeadersRequestData.TopicPartitions t : data.topicPartitions()) {
                for (int p : t.partitions()) {
                    partitions.add(new TopicPartition(t.topic(), p));
                }
            }
        }
        return controller.electLeaders(data.electionType() == 1, partitions).handle((results, error) -> {
            ElectLeadersResponseData response = new ElectLeadersResponseData();
            if (error != null) {
                return response.setErrorCode(errorOf(error).code());
            }
            Map<String, ElectLeadersResponseData.ReplicaElectionResult> byTopic = new LinkedHashMap<>();
            for (ElectLeaderResult r : results) {
                byTopic.computeIfAbsent(r.partition().topic(), t -> {
                    ElectLeadersResponseData.ReplicaElectionResult topic =
                            new ElectLeadersResponseData.ReplicaElectionResult().setTopic(t);
                    response.replicaElectionResults().add(topic);
                    return topic;
                }).partitionResult().add(new ElectLeadersResponseData.PartitionResult()
                        .setPartitionId(r.partition().partition()).setErrorCode(r.error().code())
                        .setErrorMessage(r.message()));
            }
            return response;
        });
    }

    private CompletableFuture<AlterPartitionReassignmentsResponseData> alterReassignments(short version,
            AlterPartitionReassignmentsRequestData data) {
        Map<TopicPartition, Optional<List<Integer>>> targets = new LinkedHashMap<>();
        for (AlterPartitionReassignmentsRequestData.ReassignableTopic t : data.topics()) {
            for (AlterPartitionReassignmentsRequestData.ReassignablePartition p : t.partitions()) {
                targets.put(new TopicPartition(t.name(), p.partitionIndex()),
                        p.replicas() == null ? Optional.empty() : Optional.of(List.copyOf(p.replicas())));
            }
        }
        boolean allowChange = version < 1 || data.allowReplicationFactorChange();
        return controller.alterPartitionReassignments(targets, allowChange).handle((results, error) -> {
            AlterPartitionReassignmentsResponseData response = new AlterPartitionReassignmentsResponseData()
                    .setAllowReplicationFactorChange(data.allowReplicationFactorChange());
            if (error != null) {
                Errors code = errorOf(error);
                return response.setErrorCode(code.code()).setErrorMessage(code.message());
            }
            Map<String, AlterPartitionReassignmentsResponseData.ReassignableTopicResponse> byTopic =
                    new LinkedHashMap<>();
            for (ReassignmentResult r : results) {
                byTopic.computeIfAbsent(r.partition().topic(), t -> {
                    var topic = new AlterPartitionReassignmentsResponseData.ReassignableTopicResponse().setName(t);
                    response.responses().add(topic);
                    return topic;
                }).partitions().add(new AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse()
                        .setPartitionIndex(r.partition().partition()).setErrorCode(r.error().code())
                        .setErrorMessage(r.message()));
            }
            boolean notController = results.stream().anyMatch(r -> r.error() == Errors.NOT_CONTROLLER);
            return notController ? response.setErrorCode(Errors.NOT_CONTROLLER.code()) : response;
        });
    }

    private CompletableFuture<ListPartitionReassignmentsResponseData> listReassignments(
            ListPartitionReassignmentsRequestData data) {
        if (!quorum.isActiveController()) {
            return CompletableFuture.completedFuture(new ListPartitionReassignmentsResponseData()
                    .setErrorCode(Errors.NOT_CONTROLLER.code()));
        }
        List<TopicPartition> partitions = null;
        if (data.topics() != null) {
            partitions = new ArrayList<>();
            for (ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics t : data.topics()) {
                for (int p : t.partitionIndexes()) {
                    partitions.add(new TopicPartition(t.name(), p));
                }
            }
        }
        ListPartitionReassignmentsResponseData response = new ListPartitionReassignmentsResponseData();
        Map<String, ListPartitionReassignmentsResponseData.OngoingTopicReassignment> byTopic = new LinkedHashMap<>();
        controller.listPartitionReassignments(partitions).forEach((tp, r) -> byTopic.computeIfAbsent(tp.topic(), t -> {
            var topic = new ListPartitionReassignmentsResponseData.OngoingTopicReassignment().setName(t);
            response.topics().add(topic);
            return topic;
        }).partitions().add(new ListPartitionReassignmentsResponseData.OngoingPartitionReassignment()
                .setPartitionIndex(tp.partition()).setReplicas(new ArrayList<>(r.replicas()))
                .setAddingReplicas(new ArrayList<>(r.adding())).setRemovingReplicas(new ArrayList<>(r.removing()))));
        return CompletableFuture.completedFuture(response);
    }

    /**
     * DescribeQuorum from the leader's view: its term as the leader epoch, the commit index as the high watermark,
     * each voter's known commit index as its log end. Ratis does not expose fetch times, so those are -1.
     */
    private DescribeQuorumResponseData describeQuorum() {
        Optional<QuorumState> state = quorum.isActiveController() ? quorum.describe() : Optional.empty();
        if (state.isEmpty()) {
            return new DescribeQuorumResponseData().setErrorCode(Errors.NOT_CONTROLLER.code());
        }
        QuorumState q = state.get();
        List<DescribeQuorumResponseData.ReplicaState> voters = new ArrayList<>();
        q.voterOffsets().forEach((id, offset) -> voters.add(new DescribeQuorumResponseData.ReplicaState()
                .setReplicaId(id).setLogEndOffset(id == q.leaderId() ? q.commitIndex() : offset)
                .setLastFetchTimestamp(-1).setLastCaughtUpTimestamp(-1)));
        DescribeQuorumResponseData response = new DescribeQuorumResponseData();
        response.topics().add(new DescribeQuorumResponseData.TopicData().setTopicName("__cluster_metadata")
                .setPartitions(new ArrayList<>(List.of(new DescribeQuorumResponseData.PartitionData()
                        .setPartitionIndex(0).setLeaderId(q.leaderId()).setLeaderEpoch((int) q.term())
                        .setHighWatermark(q.commitIndex()).setCurrentVoters(voters)))));
        voterEndpoints.forEach((id, e) -> {
            DescribeQuorumResponseData.Node node = new DescribeQuorumResponseData.Node().setNodeId(id);
            node.listeners().add(new DescribeQuorumResponseData.Listener().setName(e.listener()).setHost(e.host())
                    .setPort(e.port()));
            response.nodes().add(node);
        });
        return response;
    }

    static Errors errorOf(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof io.spool.metadata.NotControllerException) {
            return Errors.NOT_CONTROLLER;
        }
        return ApiError.fromThrowable(cause).error();
    }

    /** The failure a {@link CompletionException} carries, or {@code error} itself. */
    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
