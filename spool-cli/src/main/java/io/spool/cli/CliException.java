package io.spool.cli;

/**
 * A command could not do what it was asked; the message is the one line printed on stderr and the exit code is
 * {@link SpoolCli#EXIT_FAILED} or {@link SpoolCli#EXIT_USAGE}.
 */
public final class CliException extends RuntimeException {
    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public static CliException failed(String message) {
        return new CliException(SpoolCli.EXIT_FAILED, message);
    }

    public static CliException usage(String message) {
        return new CliException(SpoolCli.EXIT_USAGE, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
