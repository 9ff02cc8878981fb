package io.spool.it;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@link GroupMember} in its own JVM, on the distribution's kafka-clients ({@code spool-cli/target/lib}) and this
 * module's test classes, with its events in {@code <dir>/<name>.events} and its output in {@code <dir>/<name>.log}.
 * Used by one test thread.
 */
final class MemberProcess implements AutoCloseable {
    private final String name;
    private final Path events;
    private final Path log;
    private final Process process;

    private MemberProcess(String name, Path events, Path log, Process process) {
        this.name = name;
        this.events = events;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts a member of {@code group} subscribed to {@code topic}; its {@code client.id} is {@code name}.
     *
     * @param settings further consumer settings, e.g. {@code group.protocol}
     */
    static MemberProcess start(Path dir, String name, String bootstrap, String group, String topic,
            Map<String, String> settings) {
        try {
            Files.createDirectories(dir);
            Path events = dir.resolve(name + ".events");
            Path log = dir.resolve(name + ".log");
            // C1 and the serial collector: a small JVM that starts fast and leaves the CPU to the node.
            List<String> command = new ArrayList<>(List.of(SpoolProcess.javaBinary(), "-Xms32m", "-Xmx192m",
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classpath(), GroupMember.class.getName(),
                    bootstrap, group, topic, events.toString(), "client.id=" + name));
            settings.forEach((k, v) -> command.add(k + "=" + v));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new MemberProcess(name, events, log, process);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
    }

    Path events() {
        return events;
    }

    Path log() {
        return log;
    }

    /** The last complete line of an event file (lines are short: its last 4 KiB hold it), or "" if none. */
    static String lastLine(Path events) throws IOException {
        if (!Files.exists(events)) {
            return "";
        }
        try (RandomAccessFile file = new RandomAccessFile(events.toFile(), "r")) {
            long length = file.length();
            byte[] tail = new byte[(int) Math.min(length, 4096)];
            file.seek(length - tail.length);
            file.readFully(tail);
            String text = new String(tail, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            return end < 0 ? "" : text.substring(text.lastIndexOf('\n', end - 1) + 1, end);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the member stops between any two instructions, its last commit possibly unwritten. */
    void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** SIGTERM: the member closes its consumer, leaving the group. */
    void stop() {
        process.destroy();
        waitFor();
    }

    private void waitFor() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }

    /**
     * This module's test classes and the distribution's libraries. Not {@code java.class.path}: under failsafe that
     * can be a manifest-only jar.
     */
    private static String classpath() {
        try {
            Path testClasses = Path.of(GroupMember.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return testClasses + File.pathSeparator + SpoolProcess.classpath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
