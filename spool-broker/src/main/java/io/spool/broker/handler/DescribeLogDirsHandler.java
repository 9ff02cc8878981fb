package io.spool.broker.handler;

import io.spool.broker.network.ConnectionInfo;
import io.spool.broker.network.RequestHandler;
import io.spool.broker.replica.Partition;
import io.spool.protocol.KafkaRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.HashMap;
import java.util.HashSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeLogDirs: each of this broker's {@code log.dirs} with the partition replicas it holds (all, or those named),
 * their size in bytes and offset lag (how far the log end is behind the high watermark, as Kafka reports it; 0 on
 * a leader), and from v4 the directory's total and usable bytes. Spool has no future (alter-log-dir) replicas.
 * Kafka's reassignment tool asks for it to print the current assignment.
 *
 * <p>Errors: none of its own; a directory whose file store cannot be read reports -1 bytes.
 */
public final class DescribeLogDirsHandler implements RequestHandler {
    private final BrokerContext broker;

    public DescribeLogDirsHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public CompletionStage<ApiMessage> handle(KafkaRequest request, ConnectionInfo connection) {
        DescribeLogDirsRequestData data = request.body();
        Set<TopicPartition> wanted = null;
        if (data.topics() != null) {
            wanted = new HashSet<>();
            for (DescribeLogDirsRequestData.DescribableLogDirTopic t : data.topics()) {
                for (int p : t.partitions()) {
                    wanted.add(new TopicPartition(t.topic(), p));
                }
            }
        }
        Map<Path, DescribeLogDirsResult> byDir = new LinkedHashMap<>();
        for (Path dir : broker.config().logDirs()) {
            byDir.put(dir.toAbsolutePath().normalize(), result(dir));
        }
        Map<String, DescribeLogDirsTopic> topics = new HashMap<>();
        for (Partition partition : broker.replicas().partitions()) {
            TopicPartition tp = partition.topicPartition();
            if (wanted != null && !wanted.contains(tp)) {
                continue;
            }
            Path dir = partition.log().logDir().toAbsolutePath().normalize();
            DescribeLogDirsResult result = byDir.computeIfAbsent(dir, this::result);
            DescribeLogDirsTopic topic = topics.computeIfAbsent(dir + "\u0000" + tp.topic(), key -> {
                DescribeLogDirsTopic created = new DescribeLogDirsTopic().setName(tp.topic());
                result.topics().add(created);
                return created;
            });
            long lag = Math.max(0, partition.log().highWatermark() - partition.log().logEndOffset());
            topic.partitions().add(new DescribeLogDirsPartition().setPartitionIndex(tp.partition())
                    .setPartitionSize(partition.log().sizeInBytes()).setOffsetLag(lag).setIsFutureKey(false));
        }
        DescribeLogDirsResponseData response = new DescribeLogDirsResponseData().setErrorCode(Errors.NONE.code());
        response.results().addAll(byDir.values());
        return CompletableFuture.completedFuture(response);
    }

    private DescribeLogDirsResult result(Path dir) {
        DescribeLogDirsResult result = new DescribeLogDirsResult().setErrorCode(Errors.NONE.code())
                .setLogDir(dir.toAbsolutePath().normalize().toString());
        try {
            var store = Files.getFileStore(dir);
            result.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
        } catch (IOException e) {
            result.setTotalBytes(-1).setUsableBytes(-1);
        }
        return result;
    }
}
