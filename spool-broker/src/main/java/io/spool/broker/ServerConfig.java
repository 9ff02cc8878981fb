package io.spool.broker;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's validated configuration, read from Kafka-style properties. Unknown names and invalid values are rejected
 * when the configuration is built, never later. Immutable.
 */
public final class ServerConfig {
    private static final Logger LOG = LoggerFactory.getLogger(ServerConfig.class);

    private final Map<String, Object> values;
    private final Map<String, String> explicit;

    private ServerConfig(Map<String, Object> values, Map<String, String> explicit) {
        this.values = values;
        this.explicit = explicit;
    }

    /**
     * Builds a configuration from properties, as given in a server.properties file and {@code --override}s.
     *
     * @throws InvalidConfigException naming the first unknown setting or invalid value
     */
    public static ServerConfig parse(Map<String, String> properties) {
        Map<String, Object> values = new HashMap<>();
        Map<String, String> explicit = new HashMap<>();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            String name = e.getKey().trim();
            if (ServerSettings.ACCEPTED_UNUSED.contains(name)) {
                LOG.warn("Setting {} is accepted for compatibility with Kafka but has no effect in Spool yet", name);
                continue;
            }
            Setting setting = ServerSettings.ALL.get(name);
            if (setting == null) {
                throw new InvalidConfigException("Unknown setting: " + name);
            }
            values.put(name, setting.parse(e.getValue()));
            explicit.put(name, e.getValue().trim());
        }
        for (Setting s : ServerSettings.ALL.values()) {
            values.computeIfAbsent(s.name(), n -> s.parse(s.defaultValue()));
        }
        ServerConfig config = new ServerConfig(Map.copyOf(values), Map.copyOf(explicit));
        config.validateListeners();
        return config;
    }

    public static ServerConfig defaults() {
        return parse(Map.of());
    }

    private void validateListeners() {
        List<Listener> all = listeners();
        for (String name : controllerListenerNames()) {
            if (isController() && all.stream().noneMatch(l -> l.name().equals(name))) {
                throw new InvalidConfigException("controller.listener.names names " + name
                        + " but listeners has no such listener");
            }
        }
        if (isBroker() && brokerListeners().isEmpty()) {
            throw new InvalidConfigException("listeners must have at least one non-controller listener");
        }
        if (!isBroker() && !brokerListeners().isEmpty()) {
            throw new InvalidConfigException("A dedicated controller (process.roles=controller) serves no clients:"
                    + " listeners may only hold the controller listeners " + controllerListenerNames() + ", not "
                    + brokerListeners().stream().map(Listener::name).toList());
        }
        for (String entry : getList("listener.security.protocol.map")) {
            if (!entry.toUpperCase().endsWith(":PLAINTEXT")) {
                throw new InvalidConfigException("Only PLAINTEXT listeners are supported, not " + entry);
            }
        }
        advertisedListeners();
        validateRolesAgainstVoters();
    }

    /** A controller is a voter and a voter is a controller, as in Kafka with a static quorum. */
    private void validateRolesAgainstVoters() {
        boolean voter = quorumVoters().containsKey(nodeId());
        if (isController() && !voter) {
            throw new InvalidConfigException("node.id " + nodeId() + " must be in controller.quorum.voters, as"
                    + " process.roles includes controller");
        }
        if (!isController() && voter) {
            throw new InvalidConfigException(getList("controller.quorum.voters").isEmpty()
                    ? "process.roles=broker needs controller.quorum.voters: the controllers this broker follows"
                    : "node.id " + nodeId() + " is in controller.quorum.voters, so process.roles must include"
                            + " controller");
        }
    }

    public int nodeId() {
        return getInt("node.id");
    }

    public boolean isBroker() {
        return getList("process.roles").contains("broker");
    }

    public boolean isController() {
        return getList("process.roles").contains("controller");
    }

    public List<Listener> listeners() {
        return Listener.parseList("listeners", getList("listeners"));
    }

    public List<String> controllerListenerNames() {
        return getList("controller.listener.names").stream().map(String::toUpperCase).toList();
    }

    /** The listeners that serve clients: all but the controller ones. */
    public List<Listener> brokerListeners() {
        List<String> controllerNames = controllerListenerNames();
        return listeners().stream().filter(l -> !controllerNames.contains(l.name())).toList();
    }

    public Optional<Listener> controllerListener() {
        List<String> controllerNames = controllerListenerNames();
        return listeners().stream().filter(l -> controllerNames.contains(l.name())).findFirst();
    }

    /** What clients are told to connect to, per listener name; an unset host falls back to the bound one. */
    public List<Listener> advertisedListeners() {
        List<String> given = getList("advertised.listeners");
        return given.isEmpty() ? brokerListeners() : Listener.parseList("advertised.listeners", given);
    }

    /** The voters of the metadata quorum, by node id; a lone controller votes for itself by default. */
    public Map<Integer, Listener> quorumVoters() {
        List<String> given = getList("controller.quorum.voters");
        Map<Integer, Listener> voters = new HashMap<>();
        if (given.isEmpty()) {
            Listener own = controllerListener().orElseThrow(() -> new InvalidConfigException(
                    "controller.quorum.voters is empty and this node has no controller listener"));
            voters.put(nodeId(), own);
            return voters;
        }
        for (String entry : given) {
            int at = entry.indexOf('@');
            if (at <= 0) {
                throw new InvalidConfigException("Invalid voter '" + entry + "' in controller.quorum.voters:"
                        + " expected id@host:port");
            }
            int id;
            try {
                id = Integer.parseInt(entry.substring(0, at));
            } catch (NumberFormatException e) {
                throw new InvalidConfigException("Invalid voter id in '" + entry + "' of controller.quorum.voters");
            }
            voters.put(id, Listener.parse("controller.quorum.voters", "CONTROLLER://" + entry.substring(at + 1)));
        }
        return voters;
    }

    public List<Path> logDirs() {
        List<String> dirs = getList("log.dirs");
        if (dirs.isEmpty()) {
            dirs = List.of(getString("log.dir"));
        }
        return dirs.stream().map(Path::of).toList();
    }

    public Path metadataLogDir() {
        String dir = getString("metadata.log.dir");
        return dir.isEmpty() ? logDirs().get(0) : Path.of(dir);
    }

    /** Effective retention time: log.retention.ms, else minutes, else hours; -1 keeps data forever. */
    public long retentionMs() {
        long ms = getLong("log.retention.ms");
        if (ms != -2) {
            return ms;
        }
        int minutes = getInt("log.retention.minutes");
        if (minutes != -1) {
            return minutes * 60_000L;
        }
        int hours = getInt("log.retention.hours");
        return hours < 0 ? -1 : hours * 3_600_000L;
    }

    /** Effective segment age limit: log.roll.ms, else log.roll.hours. */
    public long segmentMs() {
        long ms = getLong("log.roll.ms");
        return ms >= 0 ? ms : getInt("log.roll.hours") * 3_600_000L;
    }

    public int getInt(String name) {
        return (Integer) get(name);
    }

    public long getLong(String name) {
        return (Long) get(name);
    }

    public double getDouble(String name) {
        return (Double) get(name);
    }

    public boolean getBoolean(String name) {
        return (Boolean) get(name);
    }

    public String getString(String name) {
        return (String) get(name);
    }

    @SuppressWarnings("unchecked")
    public List<String> getList(String name) {
        return (List<String>) get(name);
    }

    /** Whether the operator set this setting, as opposed to it having its default. */
    public boolean isExplicit(String name) {
        return explicit.containsKey(name);
    }

    /** The value as text, the way DescribeConfigs reports it. */
    public String valueAsString(String name) {
        Object v = get(name);
        return v instanceof List<?> list ? String.join(",", list.stream().map(Object::toString).toList())
                : String.valueOf(v);
    }

    private Object get(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("No such setting: " + name);
        }
        return v;
    }

    /** Every known setting, for DescribeConfigs on the broker. */
    public static Map<String, Setting> settings() {
        return ServerSettings.ALL;
    }
}
