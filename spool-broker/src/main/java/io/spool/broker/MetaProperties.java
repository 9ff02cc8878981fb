package io.spool.broker;

import io.spool.storage.Fs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * The {@code meta.properties} file in every log directory, as Kafka writes it: the cluster id and node id the
 * directory belongs to. A fresh directory is formatted on first start (Spool needs no separate format step); a
 * directory of another node or cluster is refused, so two nodes never share data by mistake.
 */
final class MetaProperties {
    static final String FILE_NAME = "meta.properties";

    private MetaProperties() {
    }

    /**
     * Returns the cluster id recorded in the directories, writing {@code proposedClusterId} (a random one if null)
     * where none is recorded yet. A recorded id that differs from a given proposal is refused.
     */
    static String loadOrFormat(List<Path> dirs, int nodeId, String proposedClusterId) throws IOException {
        String clusterId = null;
        for (Path dir : dirs) {
            Path file = dir.resolve(FILE_NAME);
            if (!Files.exists(file)) {
                continue;
            }
            Properties props = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                props.load(in);
            }
            String recordedNode = props.getProperty("node.id");
            if (recordedNode != null && !recordedNode.equals(String.valueOf(nodeId))) {
                throw new InvalidConfigException(file + " belongs to node.id=" + recordedNode
                        + ", but this node is node.id=" + nodeId);
            }
            String recordedCluster = props.getProperty("cluster.id");
            if (clusterId != null && recordedCluster != null && !clusterId.equals(recordedCluster)) {
                throw new InvalidConfigException("Log directories belong to different clusters: " + clusterId
                        + " and " + recordedCluster);
            }
            clusterId = recordedCluster != null ? recordedCluster : clusterId;
        }
        if (clusterId != null && proposedClusterId != null && !clusterId.equals(proposedClusterId)) {
            throw new InvalidConfigException("The log directories belong to cluster " + clusterId
                    + ", but this node is configured for cluster " + proposedClusterId);
        }
        if (clusterId == null) {
            clusterId = proposedClusterId != null ? proposedClusterId : Uuid.randomUuid().toString();
        }
        for (Path dir : dirs) {
            Files.createDirectories(dir);
            Path file = dir.resolve(FILE_NAME);
            if (!Files.exists(file)) {
                write(file, clusterId, nodeId);
            }
        }
        return clusterId;
    }

    private static void write(Path file, String clusterId, int nodeId) throws IOException {
        Properties props = new Properties();
        props.setProperty("version", "1");
        props.setProperty("cluster.id", clusterId);
        props.setProperty("node.id", String.valueOf(nodeId));
        props.setProperty("directory.id", Uuid.randomUuid().toString());
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        props.store(content, "Written by Spool; do not edit");
        // Durable before the node goes on (as Kafka writes it): a crash must not leave the directory with an empty
        // file, from which the next start would take a new cluster id.
        Fs.atomicWrite(file, content.toByteArray());
    }
}
