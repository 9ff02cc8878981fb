package io.spool.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spool group list}: the consumer groups (classic and KIP-848), sorted by id, with their type and state,
 * optionally only those in the given states or of one type; the broker applies the filters.
 *
 * <pre>
 * GROUP     TYPE      STATE
 * billing   Consumer  Stable
 * orders    Classic   Empty
 * </pre>
 */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List consumer groups with their type and state.")
final class GroupListCommand implements Callable<Integer> {
    /** The types {@code --type} accepts: the two kinds of consumer group. */
    enum Type {
        CLASSIC(GroupType.CLASSIC), CONSUMER(GroupType.CONSUMER);

        final GroupType groupType;

        Type(GroupType groupType) {
            this.groupType = groupType;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Terminal terminal;

    @Mixin
    AdminOptions admin;

    @Option(names = "--state", paramLabel = "STATE",
            description = "Only groups in this state (e.g. Stable, Empty, PreparingRebalance, Reconciling; "
                    + "case-insensitive). Repeatable.")
    List<String> states = new ArrayList<>();

    @Option(names = "--type", paramLabel = "TYPE", description = "Only groups of this type: ${COMPLETION-CANDIDATES}.")
    Type type;

    GroupListCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        ListGroupsOptions options = ListGroupsOptions.forConsumerGroups().inGroupStates(parseStates(states))
                .timeoutMs(admin.timeoutMs);
        if (type != null) {
            options.withTypes(Set.of(type.groupType));
        }
        try (Admin client = admin.open()) {
            List<GroupListing> groups = new ArrayList<>(client.listGroups(options).all().get());
            groups.sort(Comparator.comparing(GroupListing::groupId));
            Table table = new Table("GROUP", "TYPE", "STATE");
            groups.forEach(g -> table.row(g.groupId(), g.type().orElse(null), g.groupState().orElse(null)));
            table.lines().forEach(terminal.out()::println);
        } catch (ExecutionException e) {
            throw admin.failure(e);
        }
        return SpoolCli.EXIT_OK;
    }

    /** @throws CliException (usage) naming the valid states when one is not a consumer group state */
    static Set<GroupState> parseStates(List<String> names) {
        Set<GroupState> valid = EnumSet.noneOf(GroupState.class);
        valid.addAll(GroupState.groupStatesForType(GroupType.CLASSIC));
        valid.addAll(GroupState.groupStatesForType(GroupType.CONSUMER));
        Set<GroupState> states = EnumSet.noneOf(GroupState.class);
        for (String name : names) {
            GroupState state = GroupState.parse(name.strip());
            if (!valid.contains(state)) {
                throw CliException.usage("Invalid --state '" + name + "': expected one of "
                        + valid.stream().map(GroupState::toString).sorted().collect(Collectors.joining(", ")));
            }
            states.add(state);
        }
        return states;
    }
}
