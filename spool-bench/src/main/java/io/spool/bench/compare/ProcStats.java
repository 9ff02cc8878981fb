package io.spool.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A broker process's CPU time and peak resident memory, read from Linux's {@code /proc/PID}. The peak
 * ({@code VmHWM}) is reset by writing 5 to {@code /proc/PID/clear_refs}, which needs the process's owner or root;
 * where that fails peaks run from the process's start. Stateless apart from the clock-tick rate read once.
 */
final class ProcStats {
    private final long clockTicksPerSecond;

    private ProcStats(long clockTicksPerSecond) {
        this.clockTicksPerSecond = clockTicksPerSecond;
    }

    /** Reads the kernel's clock-tick rate with {@code getconf CLK_TCK}; 100, Linux's usual rate, if that fails. */
    static ProcStats create() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes()).trim();
            if (getconf.waitFor(10, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
                return new ProcStats(Long.parseLong(out));
            }
        } catch (IOException | NumberFormatException e) {
            return new ProcStats(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new ProcStats(100);
    }

    /** User plus system CPU seconds the process has used so far. */
    double cpuSeconds(long pid) throws IOException {
        return (double) cpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")))
                / clockTicksPerSecond;
    }

    /** Resets the process's peak RSS to its current RSS; false when the kernel refused. */
    boolean resetPeakRss(long pid) {
        try {
            Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Peak resident memory in MiB since the process started or its last {@link #resetPeakRss}. */
    double peakRssMib(long pid) throws IOException {
        return peakRssKib(Files.readString(Path.of("/proc", Long.toString(pid), "status"))) / 1024.0;
    }

    /**
     * utime plus stime, fields 14 and 15 of {@code /proc/PID/stat}. Counted after the command name's closing
     * parenthesis, because the name, field 2, may itself hold spaces and parentheses.
     */
    static long cpuTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** The {@code VmHWM:} line of {@code /proc/PID/status}, in KiB. */
    static long peakRssKib(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.substring("VmHWM:".length()).replace("kB", "").trim());
            }
        }
        throw new IllegalArgumentException("No VmHWM line in /proc status");
    }
}
