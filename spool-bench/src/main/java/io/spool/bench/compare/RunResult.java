package io.spool.bench.compare;

import java.util.Map;

/**
 * One measurement of one contender in one repetition: a workload (by its letter), or {@link #START} (launch to
 * the first answered Metadata request) or {@link #WHOLE_RUN} (the broker's totals from launch to the end of its
 * last workload). A failed one carries its error and no metrics. Immutable.
 *
 * @param log the tool's output file, relative to the results directory; empty when no tool ran
 */
record RunResult(int repetition, Contender contender, String workload, String error, Map<Metric, Double> metrics,
        String log) {
    static final String START = "start";
    static final String WHOLE_RUN = "run";

    RunResult {
        metrics = Map.copyOf(metrics);
    }

    static RunResult failed(int repetition, Contender contender, String workload, String error, String log) {
        return new RunResult(repetition, contender, workload, error, Map.of(), log);
    }

    boolean ok() {
        return error == null;
    }

    /** The value of {@code metric}, or NaN when this run did not measure it. */
    double value(Metric metric) {
        return metrics.getOrDefault(metric, Double.NaN);
    }
}
