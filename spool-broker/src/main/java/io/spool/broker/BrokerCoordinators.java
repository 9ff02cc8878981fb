package io.spool.broker;

import io.spool.broker.cluster.BrokerChannel;
import io.spool.broker.group.FindCoordinatorHandler;
import io.spool.broker.group.GroupApis;
import io.spool.broker.group.GroupCoordinatorService;
import io.spool.broker.handler.BrokerContext;
import io.spool.broker.handler.InitProducerIdHandler;
import io.spool.broker.handler.ProducerIdManager;
import io.spool.metadata.ProducerIdBlock;
import io.spool.broker.network.RequestDispatcher;
import io.spool.broker.txn.TransactionApis;
import io.spool.broker.txn.TransactionCoordinatorService;
import io.spool.broker.txn.TransactionalAppends;
import io.spool.broker.txn.TxnMarkerSender;
import io.spool.broker.txn.TxnMarkerWriter;
import io.spool.broker.txn.TxnVerifier;
import io.spool.metadata.MetadataImage;
import io.spool.metadata.MetadataQuorum;
import org.apache.kafka.common.message.AllocateProducerIdsRequestData;
import org.apache.kafka.common.message.AllocateProducerIdsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * The coordinators a broker hosts, the group coordinator and the transaction coordinator, with what they need from
 * the broker: producer ids from the controller, a channel to other brokers for transaction markers and KIP-890
 * verification, and the marker writer for the partitions this node leads. Built before the metadata is replayed,
 * activated once it is.
 */
final class BrokerCoordinators implements AutoCloseable {
    private final GroupCoordinatorService groups;
    private final TransactionCoordinatorService transactions;
    private final ProducerIdManager producerIds;
    private final TxnMarkerWriter markerWriter;
    private final BrokerChannel brokerChannel;
    /** Verification calls have their own lane: they must not queue behind markers waiting for replication. */
    private final BrokerChannel verifyChannel;
    private final TxnMarkerSender markerSender;
    private final TxnVerifier verifier;
    private final TransactionalAppends transactionalAppends;
    private final String interBrokerListener;

    BrokerCoordinators(ServerConfig config, BrokerContext broker) {
        this.groups = new GroupCoordinatorService(config, broker.replicas(), broker.clock());
        this.producerIds = new ProducerIdManager((brokerId, size) -> broker.controller()
                .call(ApiKeys.ALLOCATE_PRODUCER_IDS, new AllocateProducerIdsRequestData().setBrokerId(brokerId)
                        .setBrokerEpoch(-1), 30_000)
                .thenApply(r -> {
                    AllocateProducerIdsResponseData response = (AllocateProducerIdsResponseData) r;
                    if (response.errorCode() != Errors.NONE.code()) {
                        throw Errors.forCode(response.errorCode()).exception();
                    }
                    return new ProducerIdBlock(response.producerIdStart(), response.producerIdLen());
                }), broker.nodeId());
        this.interBrokerListener = config.getString("inter.broker.listener.name");
        this.brokerChannel = new BrokerChannel(broker.nodeId(), broker::image, interBrokerListener, "marker-channel");
        this.verifyChannel = new BrokerChannel(broker.nodeId(), broker::image, interBrokerListener, "verify-channel");
        this.markerWriter = new TxnMarkerWriter(broker, groups.coordinator());
        this.markerSender = new TxnMarkerSender(broker.nodeId(), broker::image, markerWriter, brokerChannel);
        this.transactions = new TransactionCoordinatorService(config, broker.replicas(), broker.clock(),
                markerSender, producerIds::nextId, groups::partitionFor, broker::image);
        this.verifier = new TxnVerifier(broker.nodeId(), broker::image, transactions.coordinator(), verifyChannel);
        this.transactionalAppends = new TransactionalAppends(verifier);
    }

    /** Subscribes the coordinators' partitions to the metadata (before it is replayed). */
    void subscribe(MetadataQuorum quorum) {
        quorum.addListener(groups.partitions());
        quorum.addListener(transactions.partitions());
    }

    /** Starts loading the partitions this node leads, once the start-up replay is complete. */
    void activate(MetadataImage image) {
        groups.activate(image);
        transactions.activate(image);
    }

    TransactionalAppends transactionalAppends() {
        return transactionalAppends;
    }

    /** Registers the group and transaction APIs, FindCoordinator and InitProducerId. */
    void register(RequestDispatcher.Builder builder, BrokerContext broker) {
        GroupApis.register(builder, groups.coordinator());
        TransactionApis.register(builder, transactions.coordinator(), groups.coordinator(), markerWriter, verifier,
                broker.replicas(), interBrokerListener);
        builder.register(ApiKeys.INIT_PRODUCER_ID, 0, 5,
                        new InitProducerIdHandler(producerIds, transactions.coordinator()))
                .register(ApiKeys.FIND_COORDINATOR, 0, 6, new FindCoordinatorHandler(broker,
                        new FindCoordinatorHandler.Kind(GroupCoordinatorService.OFFSETS_TOPIC, groups::partitionFor,
                                "offsets.topic.num.partitions", "offsets.topic.replication.factor",
                                "offsets.topic.segment.bytes", null),
                        new FindCoordinatorHandler.Kind(TransactionCoordinatorService.TRANSACTION_STATE_TOPIC,
                                transactions::partitionFor, "transaction.state.log.num.partitions",
                                "transaction.state.log.replication.factor", "transaction.state.log.segment.bytes",
                                "transaction.state.log.min.isr")));
    }

    @Override
    public void close() {
        transactions.close();
        markerSender.close();
        brokerChannel.close();
        verifyChannel.close();
        groups.close();
    }
}
