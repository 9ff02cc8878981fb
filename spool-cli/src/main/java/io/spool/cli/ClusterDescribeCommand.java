package io.spool.cli;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeMetadataQuorumOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code spool cluster describe}: the cluster id, the active controller (the metadata quorum's leader, which may be a
 * dedicated controller) and every live broker with the partition replicas it holds and leads, so an operator sees
 * how load is spread.
 *
 * <pre>
 * Cluster: rLZqCuXtMhKBm5jY7CWHFg  Controller: 1
 * ID  HOST       PORT  RACK  LEADERS  REPLICAS
 * 1   127.0.0.1  9092  -     18       54
 * </pre>
 */
@Command(name = "describe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Show the cluster id, the active controller and each broker's share of the partitions.")
final class ClusterDescribeCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    AdminOptions admin;

    ClusterDescribeCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        try (Admin client = admin.open()) {
            DescribeClusterResult cluster = client.describeCluster(new DescribeClusterOptions()
                    .timeoutMs(admin.timeoutMs));
            Collection<Node> nodes = cluster.nodes().get();
            int controller = activeController(client, cluster);
            Set<String> names = client.listTopics(new ListTopicsOptions().listInternal(true)
                    .timeoutMs(admin.timeoutMs)).names().get();
            Map<Integer, Integer> leaders = new HashMap<>();
            Map<Integer, Integer> replicas = new HashMap<>();
            if (!names.isEmpty()) {
                Map<String, TopicDescription> topics = client.describeTopics(names, new DescribeTopicsOptions()
                        .timeoutMs(admin.timeoutMs)).allTopicNames().get();
                for (TopicDescription topic : topics.values()) {
                    for (TopicPartitionInfo p : topic.partitions()) {
                        if (p.leader() != null) {
                            leaders.merge(p.leader().id(), 1, Integer::sum);
                        }
                        p.replicas().forEach(r -> replicas.merge(r.id(), 1, Integer::sum));
                    }
                }
            }
            terminal.out().println("Cluster: " + cluster.clusterId().get() + "  Controller: "
                    + (controller < 0 ? Table.NONE : controller));
            Table table = new Table("ID", "HOST", "PORT", "RACK", "LEADERS", "REPLICAS");
            List<Node> sorted = nodes.stream().sorted(Comparator.comparingInt(Node::id)).toList();
            for (Node node : sorted) {
                table.row(node.id(), node.host(), node.port(), node.hasRack() ? node.rack() : Table.NONE,
                        leaders.getOrDefault(node.id(), 0), replicas.getOrDefault(node.id(), 0));
            }
            table.lines().forEach(terminal.out()::println);
        } catch (ExecutionException e) {
            throw admin.failure(e);
        }
        return SpoolCli.EXIT_OK;
    }

    /**
     * The leader of the metadata quorum (DescribeQuorum), which may be a dedicated controller that no broker list
     * holds; DescribeCluster's controller (a broker that passes controller requests on) if the quorum does not say.
     */
    private int activeController(Admin client, DescribeClusterResult cluster) throws InterruptedException,
            ExecutionException {
        try {
            return client.describeMetadataQuorum(new DescribeMetadataQuorumOptions().timeoutMs(admin.timeoutMs))
                    .quorumInfo().get().leaderId();
        } catch (ExecutionException e) {
            Node node = cluster.controller().get();
            return node == null ? -1 : node.id();
        }
    }
}
