package io.spool.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spool cluster rebalance}: spreads the partition replicas evenly over the live brokers (leaving out any
 * given with {@code --exclude-broker}), moving as few as it can ({@link ReplicaBalancer}), through partition
 * reassignment (KIP-455: new replicas catch up and join the ISR before old ones leave, so clients keep working),
 * then evens out leadership with preferred-leader elections. {@code add-broker} and {@code decommission} are this
 * with a broker to wait for or to empty. With {@code --throttle} the copies are limited to a byte rate
 * ({@link ReassignmentThrottle}) that is removed when they complete.
 */
@Command(name = "rebalance", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Move partition replicas so that every live broker holds an even share, then balance leaders.")
final class ClusterRebalanceCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    AdminOptions admin;

    @Option(names = "--exclude-broker", paramLabel = "ID", description = "A broker to move every replica off.")
    List<Integer> excluded = new ArrayList<>();

    @Option(names = "--dry-run", description = "Print the moves without making them.")
    boolean dryRun;

    @Option(names = "--throttle", paramLabel = "BYTES_PER_SEC", defaultValue = "-1",
            description = "Limit the replication traffic of the moves to this rate (bytes/s) on every broker involved"
                    + " (KIP-73); removed once the moves complete.")
    long throttle = -1;

    @Option(names = "--clear-throttle", description = "Only remove the replication throttles a rebalance left"
            + " behind (for one that did not wait for its moves), from every broker and topic.")
    boolean clearThrottle;

    @Option(names = "--wait-ms", paramLabel = "MS", defaultValue = "600000",
            description = "How long to wait for the moves to complete (default: ${DEFAULT-VALUE}).")
    long waitMs = 600_000;

    ClusterRebalanceCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        try (Admin client = admin.open()) {
            return rebalance(client, excluded, null);
        } catch (ExecutionException e) {
            throw admin.failure(e);
        }
    }

    /** Waits (when {@code awaitBroker} is set) for that broker to be live, then rebalances. */
    int rebalance(Admin client, List<Integer> exclude, Integer awaitBroker) throws ExecutionException,
            InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        Set<Integer> brokers = liveBrokers(client);
        while (awaitBroker != null && !brokers.contains(awaitBroker)) {
            if (System.nanoTime() > deadline) {
                throw new CliException(SpoolCli.EXIT_FAILED, "Broker " + awaitBroker + " did not join within "
                        + waitMs + " ms");
            }
            Thread.sleep(500);
            brokers = liveBrokers(client);
        }
        if (clearThrottle) {
            int changed = ReassignmentThrottle.clearAll(client, brokers,
                    client.listTopics(new ListTopicsOptions().listInternal(true)).names().get());
            terminal.out().println("Replication throttles removed from " + changed + " broker(s) and topic(s)");
            return SpoolCli.EXIT_OK;
        }
        brokers.removeAll(exclude);
        if (brokers.isEmpty()) {
            throw CliException.usage("No broker left to place replicas on");
        }
        Set<String> names = client.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
        Map<TopicPartition, List<Integer>> current = new HashMap<>();
        if (!names.isEmpty()) {
            for (TopicDescription topic : client.describeTopics(names).allTopicNames().get().values()) {
                for (TopicPartitionInfo p : topic.partitions()) {
                    current.put(new TopicPartition(topic.name(), p.partition()),
                            p.replicas().stream().map(Node::id).toList());
                }
            }
        }
        Map<TopicPartition, List<Integer>> plan = ReplicaBalancer.plan(current, brokers);
        terminal.out().println("Brokers " + brokers + ": " + plan.size() + " of " + current.size()
                + " partition(s) to move");
        plan.forEach((tp, replicas) -> terminal.out().println("  " + tp + ": " + current.get(tp) + " -> " + replicas));
        terminal.out().flush();
        if (dryRun) {
            return SpoolCli.EXIT_OK;
        }
        if (!plan.isEmpty()) {
            ReassignmentThrottle limit = ReassignmentThrottle.of(current, plan);
            if (throttle > 0) {
                limit.apply(client, throttle);
                terminal.out().println("Replication throttled to " + throttle + " B/s on brokers " + limit.brokers());
            }
            Map<TopicPartition, Optional<NewPartitionReassignment>> moves = new HashMap<>();
            plan.forEach((tp, replicas) -> moves.put(tp, Optional.of(new NewPartitionReassignment(replicas))));
            client.alterPartitionReassignments(moves).all().get();
            while (!client.listPartitionReassignments().reassignments().get().isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new CliException(SpoolCli.EXIT_FAILED, "The moves did not complete within " + waitMs
                            + " ms; they go on in the background (see spool cluster describe)"
                            + (throttle > 0 ? ", throttled until spool cluster rebalance --clear-throttle" : ""));
                }
                Thread.sleep(200);
            }
            terminal.out().println("Moves complete");
            if (throttle > 0) {
                ReassignmentThrottle.clearAll(client, limit.brokers(), limit.topics());
                terminal.out().println("Replication throttles removed");
            }
        }
        try {
            client.electLeaders(ElectionType.PREFERRED, null).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof ElectionNotNeededException)) {
                throw e;
            }
        }
        terminal.out().println("Leaders balanced");
        return SpoolCli.EXIT_OK;
    }

    private static Set<Integer> liveBrokers(Admin client) throws ExecutionException, InterruptedException {
        Set<Integer> ids = new TreeSet<>();
        client.describeCluster().nodes().get().forEach(n -> ids.add(n.id()));
        return ids;
    }

    /** What {@code add-broker} and {@code decommission} share: a broker id, the Admin options, a dry run. */
    abstract static class BrokerMove implements Callable<Integer> {
        private final ClusterRebalanceCommand rebalance;

        @Option(names = "--broker-id", required = true, paramLabel = "ID", description = "The broker's node.id.")
        int brokerId;

        @Mixin
        AdminOptions admin;

        @Option(names = "--dry-run", description = "Print the moves without making them.")
        boolean dryRun;

        @Option(names = "--throttle", paramLabel = "BYTES_PER_SEC", defaultValue = "-1",
                description = "Limit the replication traffic of the moves to this rate (bytes/s); removed once the"
                        + " moves complete.")
        long throttle = -1;

        BrokerMove(Terminal terminal) {
            this.rebalance = new ClusterRebalanceCommand(terminal);
        }

        /** Rebalances, leaving out {@code exclude} and first waiting for {@code awaitBroker} when not null. */
        int run(List<Integer> exclude, Integer awaitBroker) throws InterruptedException {
            rebalance.admin = admin;
            rebalance.dryRun = dryRun;
            rebalance.throttle = throttle;
            try (Admin client = admin.open()) {
                return rebalance.rebalance(client, exclude, awaitBroker);
            } catch (ExecutionException e) {
                throw admin.failure(e);
            }
        }
    }

    /** {@code spool cluster add-broker}: waits for a new broker to join, then rebalances onto it. */
    @Command(name = "add-broker", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Wait for a new broker to join, then move an even share of the replicas onto it.")
    static final class AddBroker extends BrokerMove {
        AddBroker(Terminal terminal) {
            super(terminal);
        }

        @Override
        public Integer call() throws InterruptedException {
            return run(List.of(), brokerId);
        }
    }

    /** {@code spool cluster decommission}: moves every replica off a broker so it can be stopped for good. */
    @Command(name = "decommission", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Move every replica off a broker (spreading them evenly over the others), so it can be"
                    + " removed.")
    static final class Decommission extends BrokerMove {
        Decommission(Terminal terminal) {
            super(terminal);
        }

        @Override
        public Integer call() throws InterruptedException {
            return run(List.of(brokerId), null);
        }
    }
}
