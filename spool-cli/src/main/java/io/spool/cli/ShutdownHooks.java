package io.spool.cli;

/** Removes a JVM shutdown hook that a command installed while it owned the process. Stateless. */
final class ShutdownHooks {
    private ShutdownHooks() {
    }

    static void remove(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down: the hook is running or has run, and must stay registered.
        }
    }
}
