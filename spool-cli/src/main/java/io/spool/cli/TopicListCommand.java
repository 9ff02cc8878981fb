package io.spool.cli;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code spool topic list}: prints topic names, one per line, sorted. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List topics, one per line.")
final class TopicListCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    AdminOptions admin;

    @Option(names = "--include-internal", description = "Also list internal topics such as __consumer_offsets.")
    boolean includeInternal;

    TopicListCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        try (Admin client = admin.open()) {
            ListTopicsOptions options = new ListTopicsOptions().listInternal(includeInternal).timeoutMs(admin.timeoutMs);
            Set<String> names = new TreeSet<>(client.listTopics(options).names().get());
            names.forEach(terminal.out()::println);
        } catch (ExecutionException e) {
            throw admin.failure(e);
        }
        return SpoolCli.EXIT_OK;
    }
}
