package io.spool.cli;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * The streams a command reads and writes, and whether it owns the process (and so may install shutdown hooks that
 * react to SIGTERM/Ctrl-C). In-process callers pass their own streams and {@code ownsProcess = false}. Immutable.
 */
public record Terminal(InputStream in, PrintStream out, PrintStream err, boolean ownsProcess) {
}
