package io.spool.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link WordCountApp} in its own JVM on this module's test classpath (Kafka Streams is not in the distribution),
 * its state under {@code <dir>/state} and its output appended to {@code <dir>/word-count.log} across restarts. Used
 * by one test thread.
 */
final class WordCountProcess implements AutoCloseable {
    private final Path dir;
    private final String bootstrap;
    private final String guarantee;
    private Process process;

    private WordCountProcess(Path dir, String bootstrap, String guarantee) {
        this.dir = dir;
        this.bootstrap = bootstrap;
        this.guarantee = guarantee;
    }

    static WordCountProcess start(Path dir, String bootstrap, String guarantee) {
        WordCountProcess app = new WordCountProcess(dir, bootstrap, guarantee);
        app.launch();
        return app;
    }

    Path log() {
        return dir.resolve("word-count.log");
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the app stops between any two instructions, its open transaction left for the broker to abort. */
    void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** Starts the app again on the same state directory, so with the same process id and transactional ids. */
    void restart() {
        launch();
    }

    private void launch() {
        // The serial collector and C1: a small JVM that starts fast and leaves the CPU to Spool.
        List<String> command = List.of(SpoolProcess.javaBinary(), "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", testClasspath(), WordCountApp.class.getName(), bootstrap,
                dir.resolve("state").toString(), guarantee);
        try {
            Files.createDirectories(dir);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        if (process != null && process.isAlive()) {
            process.destroy();
            waitFor();
        }
    }

    /**
     * The test classpath as Maven gave it to this JVM: surefire and failsafe put it in {@code surefire.test.class.path}
     * since {@code java.class.path} may be a manifest-only jar that lives only as long as this JVM.
     */
    private static String testClasspath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }
}
