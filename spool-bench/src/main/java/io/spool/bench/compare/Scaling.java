package io.spool.bench.compare;

/**
 * Applies {@code --scale} to the workloads: record counts shrink in proportion (never below a floor that keeps
 * percentiles meaningful), and so do workload d's 30 s run and 5 s warm-up, the warm-up staying at least 1 s and
 * the run at least three warm-ups long. Immutable.
 */
record Scaling(double scale) {
    static final double FIXED_RATE_SECONDS = 30;
    static final double WARMUP_SECONDS = 5;
    static final long MIN_RECORDS = 1000;
    static final long MIN_LATENCY_RECORDS = 100;

    Scaling {
        if (!(scale > 0) || scale > 1000) {
            throw new IllegalArgumentException("--scale must be above 0 and at most 1000, was " + scale);
        }
    }

    /** Records the workload's tool sends or reads. */
    long records(Workload workload) {
        if (workload.tool() == Workload.Tool.FIXED_RATE) {
            return Math.round(Workload.FIXED_RATE * fixedRateSeconds());
        }
        long floor = workload.tool() == Workload.Tool.END_TO_END ? MIN_LATENCY_RECORDS : MIN_RECORDS;
        return Math.max(floor, Math.round(workload.baseRecords() * scale));
    }

    /** Length of workload d at its fixed rate, warm-up included. */
    double fixedRateSeconds() {
        return Math.max(FIXED_RATE_SECONDS * scale, 3 * warmupSeconds());
    }

    /** The first part of workload d whose latencies are dropped. */
    double warmupSeconds() {
        return Math.max(1, WARMUP_SECONDS * scale);
    }

    long warmupRecords() {
        return Math.round(Workload.FIXED_RATE * warmupSeconds());
    }
}
