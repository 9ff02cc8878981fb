package io.spool.coordinator.txn;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection;
import org.apache.kafka.common.protocol.Errors;

/** Translation between the wire shapes of the transaction APIs and the coordinator's sets and errors. Stateless. */
final class TxnResponses {

    private TxnResponses() {
    }

    static Set<TopicPartition> partitions(Iterable<AddPartitionsToTxnTopic> topics) {
        Set<TopicPartition> out = new HashSet<>();
        for (AddPartitionsToTxnTopic t : topics) {
            for (int p : t.partitions()) {
                out.add(new TopicPartition(t.name(), p));
            }
        }
        return out;
    }

    static AddPartitionsToTxnTopicResultCollection topicResults(Map<TopicPartition, Errors> errors) {
        Map<String, AddPartitionsToTxnTopicResult> byTopic = new TreeMap<>();
        AddPartitionsHandler.sorted(errors.keySet()).forEach(tp -> byTopic
            .computeIfAbsent(tp.topic(), name -> new AddPartitionsToTxnTopicResult().setName(name))
            .resultsByPartition().add(new AddPartitionsToTxnPartitionResult().setPartitionIndex(tp.partition())
                .setPartitionErrorCode(errors.get(tp).code())));
        AddPartitionsToTxnTopicResultCollection out = new AddPartitionsToTxnTopicResultCollection();
        byTopic.values().forEach(out::add);
        return out;
    }

    /** KIP-588: clients older than {@code firstFencedVersion} know PRODUCER_FENCED as INVALID_PRODUCER_EPOCH. */
    static Errors fenced(Errors error, short version, int firstFencedVersion) {
        return error == Errors.PRODUCER_FENCED && version < firstFencedVersion ? Errors.INVALID_PRODUCER_EPOCH : error;
    }
}
