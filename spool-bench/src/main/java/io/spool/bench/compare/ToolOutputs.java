package io.spool.bench.compare;

import java.util.Map;

/** Picks the reader of the tool that drives a workload. Stateless. */
final class ToolOutputs {
    private ToolOutputs() {
    }

    /** The metrics in a tool's output; fails with a message when the output is not the expected one. */
    static Map<Metric, Double> parse(Workload workload, Scaling scaling, String output) {
        long records = scaling.records(workload);
        switch (workload.tool()) {
            case PRODUCE:
                return ProducerPerformanceOutput.parse(output, records, 0);
            case FIXED_RATE:
                return ProducerPerformanceOutput.parse(output, records, scaling.warmupRecords());
            case CONSUME:
                return ConsumerPerformanceOutput.parse(output, records);
            case END_TO_END:
                return EndToEndLatencyOutput.parse(output);
            default:
                throw new IllegalStateException("No reader for " + workload.tool());
        }
    }
}
