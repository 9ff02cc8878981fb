package io.spool.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One entry of {@code listeners} or {@code advertised.listeners}: {@code NAME://host:port}. An empty host means
 * every address, as in Kafka; port 0 asks for an ephemeral port.
 */
public record Listener(String name, String host, int port) {

    static List<Listener> parseList(String setting, List<String> entries) {
        List<Listener> result = new ArrayList<>();
        for (String entry : entries) {
            Listener listener = parse(setting, entry);
            if (result.stream().anyMatch(l -> l.name.equals(listener.name))) {
                throw new InvalidConfigException("Listener name " + listener.name + " appears twice in " + setting);
            }
            result.add(listener);
        }
        return List.copyOf(result);
    }

    static Listener parse(String setting, String entry) {
        int sep = entry.indexOf("://");
        if (sep <= 0) {
            throw new InvalidConfigException("Invalid entry '" + entry + "' in " + setting
                    + ": expected NAME://host:port");
        }
        String name = entry.substring(0, sep).toUpperCase(Locale.ROOT);
        String hostPort = entry.substring(sep + 3);
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new InvalidConfigException("Invalid entry '" + entry + "' in " + setting + ": no port");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new InvalidConfigException("Invalid port in '" + entry + "' of " + setting);
        }
        if (port < 0 || port > 65535) {
            throw new InvalidConfigException("Invalid port " + port + " in " + setting);
        }
        return new Listener(name, host, port);
    }

    @Override
    public String toString() {
        return name + "://" + host + ":" + port;
    }
}
