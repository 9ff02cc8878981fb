package io.spool.broker;

import static io.spool.broker.Setting.Type.BOOLEAN;
import static io.spool.broker.Setting.Type.DOUBLE;
import static io.spool.broker.Setting.Type.INT;
import static io.spool.broker.Setting.Type.LIST;
import static io.spool.broker.Setting.Type.LONG;
import static io.spool.broker.Setting.Type.STRING;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The table of server settings Spool understands, under Apache Kafka's property names, and the Kafka settings that
 * are accepted (so an operator's server.properties works) but have no effect yet. Immutable.
 */
final class ServerSettings {

    static final Map<String, Setting> ALL = table(
            Setting.atLeast("node.id", INT, "1", 0, "The id of this node in the cluster."),
            new Setting("process.roles", LIST, "broker,controller",
                    v -> !((List<?>) v).isEmpty() && Set.of("broker", "controller").containsAll((List<?>) v),
                    "must be a non-empty list of broker and controller", "The roles this node plays."),
            Setting.of("listeners", LIST, "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093",
                    "Addresses to listen on, as NAME://host:port."),
            Setting.of("advertised.listeners", LIST, "",
                    "Addresses published to clients; defaults to the non-controller listeners."),
            Setting.of("listener.security.protocol.map", LIST, "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "Security protocol of each listener name; only PLAINTEXT is supported."),
            Setting.of("controller.listener.names", LIST, "CONTROLLER", "Listener names used by the controller."),
            Setting.of("inter.broker.listener.name", STRING, "PLAINTEXT", "Listener used between brokers."),
            Setting.of("controller.quorum.voters", LIST, "",
                    "The metadata quorum as id@host:port; defaults to this node alone."),
            Setting.of("cluster.id", STRING, "",
                    "The cluster id a fresh node formats its log directories with (as kafka-storage format"
                            + " --cluster-id); by default derived from controller.quorum.voters, or random for one node."),
            Setting.of("log.dirs", LIST, "", "Directories holding the partition logs."),
            Setting.of("log.dir", STRING, "./data", "The log directory used when log.dirs is not set."),
            Setting.of("metadata.log.dir", STRING, "", "Directory of the metadata log; defaults to the first log dir."),
            Setting.atLeast("num.partitions", INT, "1", 1, "Default partition count of new topics."),
            Setting.atLeast("default.replication.factor", INT, "1", 1, "Default replication factor of new topics."),
            Setting.of("auto.create.topics.enable", BOOLEAN, "true",
                    "Create a topic when a client asks for its metadata."),
            Setting.of("delete.topic.enable", BOOLEAN, "true", "Allow DeleteTopics."),
            Setting.atLeast("log.segment.bytes", INT, "1073741824", 14, "Maximum size of one log segment."),
            Setting.atLeast("log.roll.hours", INT, "168", 1, "Maximum age of the active segment, in hours."),
            Setting.atLeast("log.roll.ms", LONG, "-1", -1, "Maximum age of the active segment; overrides hours."),
            Setting.atLeast("log.retention.hours", INT, "168", -1, "Retention time in hours."),
            Setting.atLeast("log.retention.minutes", INT, "-1", -1, "Retention time in minutes; overrides hours."),
            Setting.atLeast("log.retention.ms", LONG, "-2", -2, "Retention time in ms; overrides minutes, -1 keeps all."),
            Setting.atLeast("log.retention.bytes", LONG, "-1", -1, "Maximum size of a partition before deletion."),
            Setting.atLeast("log.retention.check.interval.ms", LONG, "300000", 1, "How often retention runs."),
            Setting.atLeast("log.flush.offset.checkpoint.interval.ms", LONG, "60000", 1,
                    "How often each log's recovery point and start offset are checkpointed; a crash rescans at most"
                            + " what was written since."),
            Setting.atLeast("log.index.interval.bytes", INT, "4096", 0, "Bytes between offset index entries."),
            Setting.atLeast("log.index.size.max.bytes", INT, "10485760", 4, "Maximum size of an index file."),
            Setting.atLeast("log.segment.delete.delay.ms", LONG, "60000", 0,
                    "Delay before a deleted segment's files are removed."),
            Setting.of("log.cleaner.enable", BOOLEAN, "true", "Compact the logs of compacted topics."),
            Setting.atLeast("log.cleaner.threads", INT, "1", 0,
                    "Threads compacting logs; Spool runs one cleaner thread whenever this is above 0."),
            Setting.atLeast("log.cleaner.backoff.ms", LONG, "15000", 0,
                    "Pause of the cleaner when no log needs cleaning."),
            Setting.atLeast("log.cleaner.dedupe.buffer.size", LONG, "134217728", 1024,
                    "Most memory of the cleaner's key-to-offset map; a larger dirty range takes several passes."),
            Setting.of("log.cleaner.io.buffer.load.factor", DOUBLE, "0.9",
                    "How full the cleaner's key-to-offset map may get."),
            Setting.atLeast("log.cleaner.io.buffer.size", INT, "524288", 4096,
                    "Bytes the cleaner reads from a segment at a time."),
            Setting.atLeast("log.cleaner.delete.retention.ms", LONG, "86400000", 0,
                    "How long tombstones stay in compacted topics once cleaned."),
            Setting.atLeast("log.cleaner.min.compaction.lag.ms", LONG, "0", 0,
                    "Records younger than this are not compacted."),
            Setting.atLeast("log.cleaner.max.compaction.lag.ms", LONG, "9223372036854775807", 1,
                    "A dirty record older than this forces compaction."),
            Setting.of("log.cleaner.min.cleanable.ratio", DOUBLE, "0.5",
                    "Dirty share of a log that triggers its compaction."),
            Setting.of("log.flush.on.ack", BOOLEAN, "true",
                    "Spool: answer acks=1/all produce only after an fsync covers the records; false selects"
                            + " Kafka's page-cache mode."),
            Setting.oneOf("log.message.timestamp.type", "CreateTime", List.of("CreateTime", "LogAppendTime"),
                    "Timestamp stored in new records."),
            Setting.atLeast("log.message.timestamp.before.max.ms", LONG, String.valueOf(Long.MAX_VALUE), 0,
                    "How far in the past a CreateTime timestamp may be."),
            Setting.atLeast("log.message.timestamp.after.max.ms", LONG, "3600000", 0,
                    "How far in the future a CreateTime timestamp may be."),
            Setting.oneOf("compression.type", "producer",
                    List.of("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"), "Codec of stored batches."),
            new Setting("compression.gzip.level", INT, "-1", v -> (int) v == -1 || ((int) v >= 1 && (int) v <= 9),
                    "must be -1 or in [1, 9]", "gzip level when compression.type is gzip."),
            new Setting("compression.lz4.level", INT, "9", v -> (int) v >= 1 && (int) v <= 17,
                    "must be in [1, 17]", "lz4 level when compression.type is lz4."),
            new Setting("compression.zstd.level", INT, "3", v -> (int) v >= -131072 && (int) v <= 22,
                    "must be in [-131072, 22]", "zstd level when compression.type is zstd."),
            Setting.oneOf("log.cleanup.policy", "delete", List.of("delete", "compact", "delete,compact",
                    "compact,delete"), "Default cleanup policy of topics."),
            Setting.atLeast("message.max.bytes", INT, "1048588", 0, "Largest record batch accepted."),
            Setting.atLeast("socket.request.max.bytes", INT, "104857600", 1, "Largest request accepted."),
            Setting.atLeast("fetch.max.bytes", INT, "57671680", 1024, "Most bytes one fetch response returns."),
            Setting.atLeast("num.network.threads", INT, "3", 1, "Threads serving connections."),
            Setting.atLeast("num.io.threads", INT, "8", 1, "Accepted for compatibility."),
            Setting.atLeast("max.connections", INT, String.valueOf(Integer.MAX_VALUE), 0,
                    "Most open client connections."),
            Setting.atLeast("max.connections.per.ip", INT, String.valueOf(Integer.MAX_VALUE), 0,
                    "Most open connections from one address."),
            Setting.atLeast("queued.max.request.bytes", LONG, "-1", -1,
                    "Memory for requests read but not yet answered; -1 is unbounded."),
            Setting.atLeast("connections.max.idle.ms", LONG, "600000", 1, "Idle connections are closed after this."),
            Setting.atLeast("min.insync.replicas", INT, "1", 1, "Replicas that must acknowledge an acks=all write."),
            Setting.of("unclean.leader.election.enable", BOOLEAN, "false", "Allow an out-of-sync replica to lead."),
            Setting.oneOf("eligible.leader.replicas.version", "1", List.of("0", "1"),
                    "Eligible leader replicas (KIP-966; Kafka's feature of this name, on by default for clusters"
                            + " created by Kafka 4.1+): 1 keeps replicas that left the ISR below min.insync.replicas"
                            + " eligible to lead; 0 is the behavior before. Set the same on every node."),
            Setting.atLeast("max.request.partition.size.limit", INT, "2000", 1,
                    "The most partitions one DescribeTopicPartitions response holds."),
            Setting.of("broker.rack", STRING, "", "The rack of this broker, for rack-aware replica placement."),
            Setting.atLeast("broker.heartbeat.interval.ms", LONG, "2000", 1,
                    "How often this broker heartbeats to the active controller."),
            Setting.atLeast("broker.session.timeout.ms", LONG, "9000", 1,
                    "A broker that has not heartbeated for this long is fenced and loses its leaderships."),
            Setting.atLeast("replica.lag.time.max.ms", LONG, "30000", 1,
                    "A follower that has not caught up with the leader for this long leaves the ISR."),
            Setting.atLeast("replica.fetch.wait.max.ms", INT, "500", 0, "Longest wait of a follower's fetch."),
            Setting.atLeast("replica.fetch.max.bytes", INT, "1048576", 1,
                    "Bytes a follower fetches per partition per request."),
            Setting.atLeast("replica.fetch.response.max.bytes", INT, "10485760", 1,
                    "Bytes a follower fetches per request."),
            Setting.atLeast("replica.fetch.backoff.ms", INT, "1000", 0,
                    "How long a follower waits after a failed fetch."),
            Setting.oneOf("replica.selector.class", "",
                    List.of("", "org.apache.kafka.common.replica.RackAwareReplicaSelector"),
                    "How consumers are sent to a replica to read from (KIP-392): empty reads from the leader;"
                            + " Kafka's RackAwareReplicaSelector picks an in-sync replica in the consumer's rack."),
            Setting.of("auto.leader.rebalance.enable", BOOLEAN, "true",
                    "Move leadership back to each partition's preferred replica when brokers are imbalanced."),
            Setting.atLeast("leader.imbalance.check.interval.seconds", LONG, "300", 1,
                    "How often the controller checks leader imbalance."),
            Setting.atLeast("leader.imbalance.per.broker.percentage", INT, "10", 0,
                    "Share of a broker's preferred partitions it may not lead before leaders are moved back."),
            Setting.of("controlled.shutdown.enable", BOOLEAN, "true",
                    "Move leadership away (through the controller) before a broker stops."),
            Setting.atLeast("producer.id.expiration.ms", LONG, "86400000", 1,
                    "Idle time after which producer state is forgotten."),
            Setting.atLeast("offsets.topic.num.partitions", INT, "50", 1, "Partitions of __consumer_offsets."),
            Setting.atLeast("offsets.topic.replication.factor", INT, "3", 1,
                    "Replicas of __consumer_offsets (capped by the brokers there are)."),
            Setting.atLeast("offsets.topic.segment.bytes", INT, "104857600", 1, "Segment size of __consumer_offsets."),
            Setting.atLeast("offsets.retention.minutes", INT, "10080", 1,
                    "How long an empty group's committed offsets are kept."),
            Setting.atLeast("offsets.retention.check.interval.ms", LONG, "600000", 1,
                    "How often expired offsets are removed."),
            Setting.atLeast("group.initial.rebalance.delay.ms", INT, "3000", 0,
                    "How long a new classic group waits for more members before its first rebalance."),
            Setting.atLeast("group.min.session.timeout.ms", INT, "6000", 0, "Smallest classic session timeout."),
            Setting.atLeast("group.max.session.timeout.ms", INT, "1800000", 0, "Largest classic session timeout."),
            Setting.atLeast("group.consumer.session.timeout.ms", INT, "45000", 1,
                    "Session timeout of consumer-protocol (KIP-848) members."),
            Setting.atLeast("group.consumer.heartbeat.interval.ms", INT, "5000", 1,
                    "Heartbeat interval of consumer-protocol (KIP-848) members."),
            Setting.atLeast("transaction.state.log.num.partitions", INT, "50", 1, "Partitions of __transaction_state."),
            Setting.atLeast("transaction.state.log.replication.factor", INT, "3", 1,
                    "Replicas of __transaction_state (capped by the brokers there are)."),
            Setting.atLeast("transaction.state.log.min.isr", INT, "2", 1,
                    "min.insync.replicas of __transaction_state (capped by its replication factor)."),
            Setting.atLeast("transaction.state.log.segment.bytes", INT, "104857600", 1,
                    "Segment size of __transaction_state."),
            Setting.atLeast("transaction.max.timeout.ms", INT, "900000", 1,
                    "The largest transaction timeout a producer may ask for."),
            Setting.atLeast("transaction.abort.timed.out.transaction.cleanup.interval.ms", INT, "10000", 1,
                    "How often transactions past their timeout are aborted."),
            Setting.atLeast("transactional.id.expiration.ms", INT, "604800000", 1,
                    "Idle time after which a transactional id is forgotten."));

    /**
     * Kafka settings a server.properties commonly carries that Spool accepts and ignores for now, so that a Kafka
     * operator's file starts a Spool node.
     */
    static final Set<String> ACCEPTED_UNUSED = Set.of(
            "broker.id", "socket.send.buffer.bytes", "socket.receive.buffer.bytes", "num.recovery.threads.per.data.dir",
            "share.coordinator.state.topic.replication.factor",
            "share.coordinator.state.topic.min.isr", "log.flush.interval.messages",
            "log.flush.interval.ms", "num.replica.fetchers");

    private ServerSettings() {
    }

    private static Map<String, Setting> table(Setting... settings) {
        Map<String, Setting> map = new LinkedHashMap<>();
        for (Setting s : settings) {
            map.put(s.name(), s);
        }
        return Map.copyOf(map);
    }
}
