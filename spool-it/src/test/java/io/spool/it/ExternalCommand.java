package io.spool.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external program (kcat, python3, the {@code spool} CLI) to completion with a time limit. Its standard
 * input comes from a file and its output goes to files under a scratch directory, so a chatty program can never
 * block on a full pipe. Every {@link Result} describes itself (command, exit code, stderr) for assertion messages.
 * Stateless; safe to use from any thread.
 */
final class ExternalCommand {
    private ExternalCommand() {
    }

    /** What a finished program left behind. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** The command, its exit code and its stderr, to put in an assertion's description. */
        String describe() {
            return String.join(" ", command) + " exited " + exitCode + "; stderr:\n" + stderr;
        }

        /** Stdout split into lines, without line terminators. */
        List<String> stdoutLines() {
            return stdout.lines().toList();
        }
    }

    /**
     * Runs {@code command} with {@code stdin} as its input and waits for it; a program still running after
     * {@code timeout} is killed and fails the test with whatever it had printed.
     *
     * @param scratch a directory for the input and output files
     */
    static Result run(Path scratch, List<String> command, String stdin, Duration timeout) {
        try {
            Files.createDirectories(scratch);
            Path in = Files.createTempFile(scratch, "stdin-", ".txt");
            Path out = Files.createTempFile(scratch, "stdout-", ".txt");
            Path err = Files.createTempFile(scratch, "stderr-", ".txt");
            Files.writeString(in, stdin, StandardCharsets.UTF_8);
            Process process = new ProcessBuilder(command).redirectInput(in.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout
                        + "; stdout:\n" + read(out) + "\nstderr:\n" + read(err));
            }
            return new Result(command, process.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while running " + command, e);
        }
    }

    /** Like {@link #run} but fails the test unless the program exits 0. */
    static Result runOk(Path scratch, List<String> command, String stdin, Duration timeout) {
        Result result = run(scratch, command, stdin, timeout);
        if (result.exitCode() != 0) {
            throw new AssertionError(result.describe() + "\nstdout:\n" + result.stdout());
        }
        return result;
    }

    /**
     * Runs a short administrative command (ip, nft, mount, kill) and returns its output, stdout and stderr together;
     * a non-zero exit, or no exit within 30 s, is an {@link IllegalStateException} naming the command and its output.
     * {@code stdin} may be null. Its output is read through a pipe, so it must be small.
     */
    static String runAdmin(List<String> command, String stdin) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (stdin != null) {
                process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within 30 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue() + ": "
                        + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + command, e);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
