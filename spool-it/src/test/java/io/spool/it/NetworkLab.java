package io.spool.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A private network for the nodes of a {@link SpoolCluster}, in which the test can cut the link between any two
 * hosts. Each node runs in its own Linux network namespace with one address, {@code 10.211.<tag>.<10 + id>}; a veth
 * pair joins each namespace to a bridge in the test's namespace, which has {@code 10.211.<tag>.1}: the test's clients
 * reach the nodes through it, and nothing outside this machine can.
 *
 * <pre>
 *   test JVM (clients) ── bridge sp&lt;tag&gt;br 10.211.&lt;tag&gt;.1
 *                            ├── veth ── namespace spool-it-&lt;tag&gt;-1: node 1 at 10.211.&lt;tag&gt;.11
 *                            ├── veth ── namespace spool-it-&lt;tag&gt;-2: node 2 at 10.211.&lt;tag&gt;.12
 *                            └── ...
 * </pre>
 *
 * <p>A cut is a silent drop, as a failed switch or a firewall gives: an nftables table in each namespace drops every
 * packet to and from the addresses in its {@code blocked} set, so a connection across the cut neither completes nor
 * fails until the peer's timeouts notice; established connections stall the same way. {@link #cut} blocks one link
 * both ways, {@link #isolate} every link of a host including the one to the test's clients; {@link #restore} and
 * {@link #rejoin} undo them, {@link #heal} restores every link.
 *
 * <p>Needs root, {@code ip} (iproute2) and {@code nft} (nftables): {@code .ci/run} installs nftables. The tag comes
 * from the test JVM's pid, so a run left over from a killed JVM with the same tag is cleared at {@link #create}.
 * Used by one test thread; {@link #close} removes every namespace, link and table.
 */
final class NetworkLab implements AutoCloseable {
    /** The host number of the test JVM's side (the bridge): {@link #cut} with it cuts a node off the clients. */
    static final int CLIENTS = 0;
    private static final String TABLE = "spoolit";

    private final int tag;
    private final List<Integer> hosts;
    private final Map<Integer, Set<Integer>> blocked = new HashMap<>();

    private NetworkLab(int tag, List<Integer> hosts) {
        this.tag = tag;
        this.hosts = List.copyOf(hosts);
    }

    /** Whether this machine can build a lab: running as root with {@code ip} and {@code nft} on the path. */
    static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "network namespaces need root; the tests run as " + System.getProperty("user.name");
        }
        for (String tool : List.of("ip", "nft")) {
            if (!onPath(tool)) {
                return "'" + tool + "' is not installed (apt-get install iproute2 nftables)";
            }
        }
        return null;
    }

    /** Builds the bridge and one namespace per node id in {@code nodeIds}, with no cut. */
    static NetworkLab create(Collection<Integer> nodeIds) {
        String missing = unavailableReason();
        if (missing != null) {
            throw new IllegalStateException("Cannot build a network lab: " + missing);
        }
        int tag = (int) (ProcessHandle.current().pid() % 250) + 1;
        NetworkLab lab = new NetworkLab(tag, new ArrayList<>(new TreeSet<>(nodeIds)));
        lab.removeLeftovers();
        try {
            lab.build();
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    /** The address of node {@code id} inside the lab. */
    String address(int id) {
        return "10.211." + tag + "." + (10 + id);
    }

    /** The network namespace node {@code id} runs in. */
    String namespace(int id) {
        return "spool-it-" + tag + "-" + id;
    }

    /** The command prefix that runs a program in node {@code id}'s namespace. */
    List<String> exec(int id) {
        return List.of("ip", "netns", "exec", namespace(id));
    }

    /** Cuts the link between {@code a} and {@code b} (node ids, or {@link #CLIENTS}) both ways. */
    void cut(int a, int b) {
        if (a == b) {
            throw new IllegalArgumentException("Cannot cut host " + a + " from itself");
        }
        block(a, b);
        block(b, a);
    }

    /** Cuts node {@code id} off every other node and off the test's clients. */
    void isolate(int id) {
        for (int other : hosts) {
            if (other != id) {
                cut(id, other);
            }
        }
        cut(id, CLIENTS);
    }

    /** Restores the link between {@code a} and {@code b} after {@link #cut}. */
    void restore(int a, int b) {
        unblock(a, b);
        unblock(b, a);
    }

    /** Restores every link of node {@code id} after {@link #isolate}. */
    void rejoin(int id) {
        for (int other : hosts) {
            if (other != id) {
                restore(id, other);
            }
        }
        restore(id, CLIENTS);
    }

    /** Restores every link. */
    void heal() {
        for (Map.Entry<Integer, Set<Integer>> entry : blocked.entrySet()) {
            int host = entry.getKey();
            if (!entry.getValue().isEmpty() && host != CLIENTS) {
                run(inNamespace(host, List.of("nft", "flush", "set", "inet", TABLE, "blocked")));
            }
            entry.getValue().clear();
        }
    }

    /** The hosts each host cannot reach, for a report; empty when every link is up. */
    Map<Integer, Set<Integer>> cuts() {
        Map<Integer, Set<Integer>> copy = new HashMap<>();
        blocked.forEach((host, peers) -> {
            if (!peers.isEmpty()) {
                copy.put(host, new TreeSet<>(peers));
            }
        });
        return copy;
    }

    private void block(int host, int peer) {
        if (!blocked.computeIfAbsent(host, h -> new HashSet<>()).add(peer)) {
            return;
        }
        if (host == CLIENTS) {
            // The bridge side has no table of its own: the node's table drops the clients' address both ways.
            return;
        }
        String address = peer == CLIENTS ? bridgeAddress() : address(peer);
        run(inNamespace(host, List.of("nft", "add", "element", "inet", TABLE, "blocked", "{ " + address + " }")));
    }

    private void unblock(int host, int peer) {
        Set<Integer> peers = blocked.get(host);
        if (peers == null || !peers.remove(peer) || host == CLIENTS) {
            return;
        }
        String address = peer == CLIENTS ? bridgeAddress() : address(peer);
        run(inNamespace(host, List.of("nft", "delete", "element", "inet", TABLE, "blocked", "{ " + address + " }")));
    }

    private void build() {
        run(List.of("ip", "link", "add", bridge(), "type", "bridge"));
        run(List.of("ip", "addr", "add", bridgeAddress() + "/24", "dev", bridge()));
        run(List.of("ip", "link", "set", bridge(), "up"));
        for (int id : hosts) {
            String ns = namespace(id);
            run(List.of("ip", "netns", "add", ns));
            run(List.of("ip", "link", "add", hostVeth(id), "type", "veth", "peer", "name", nodeVeth(id)));
            run(List.of("ip", "link", "set", nodeVeth(id), "netns", ns));
            run(List.of("ip", "link", "set", hostVeth(id), "master", bridge()));
            run(List.of("ip", "link", "set", hostVeth(id), "up"));
            run(inNamespace(id, List.of("ip", "addr", "add", address(id) + "/24", "dev", nodeVeth(id))));
            run(inNamespace(id, List.of("ip", "link", "set", nodeVeth(id), "up")));
            run(inNamespace(id, List.of("ip", "link", "set", "lo", "up")));
            run(inNamespace(id, List.of("nft", "-f", "-")), "table inet " + TABLE + " {\n"
                    + "  set blocked { type ipv4_addr; }\n"
                    + "  chain in { type filter hook input priority 0; policy accept; ip saddr @blocked drop; }\n"
                    + "  chain out { type filter hook output priority 0; policy accept; ip daddr @blocked drop; }\n"
                    + "}\n");
        }
    }

    /** Removes what a JVM with the same tag may have left: its namespaces (and with them their veths), its bridge. */
    private void removeLeftovers() {
        for (String ns : listNamespaces()) {
            if (ns.startsWith("spool-it-" + tag + "-")) {
                runQuietly(List.of("ip", "netns", "del", ns));
            }
        }
        runQuietly(List.of("ip", "link", "del", bridge()));
    }

    @Override
    public void close() {
        for (int id : hosts) {
            runQuietly(List.of("ip", "netns", "del", namespace(id)));
            runQuietly(List.of("ip", "link", "del", hostVeth(id)));
        }
        runQuietly(List.of("ip", "link", "del", bridge()));
    }

    private String bridgeAddress() {
        return "10.211." + tag + ".1";
    }

    private String bridge() {
        return "sp" + tag + "br";
    }

    private String hostVeth(int id) {
        return "sp" + tag + "h" + id;
    }

    private String nodeVeth(int id) {
        return "sp" + tag + "n" + id;
    }

    private List<String> inNamespace(int id, List<String> command) {
        List<String> full = new ArrayList<>(exec(id));
        full.addAll(command);
        return full;
    }

    private static List<String> listNamespaces() {
        String out = run(List.of("ip", "netns", "list"));
        return out.lines().map(line -> line.split(" ")[0]).filter(s -> !s.isEmpty()).toList();
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }

    private static String run(List<String> command) {
        return ExternalCommand.runAdmin(command, null);
    }

    private static void run(List<String> command, String stdin) {
        ExternalCommand.runAdmin(command, stdin);
    }

    private static void runQuietly(List<String> command) {
        try {
            run(command);
        } catch (RuntimeException e) {
            // Already gone, or never made.
        }
    }
}
