package io.spool.bench.compare;

import java.util.ArrayList;
import java.util.List;

/**
 * One run of one of Apache Kafka's tools: its main class and arguments, built for a workload against a broker.
 * Immutable.
 */
record ToolCommand(String mainClass, List<String> args) {
    static final String PRODUCER_PERFORMANCE = "org.apache.kafka.tools.ProducerPerformance";
    static final String CONSUMER_PERFORMANCE = "org.apache.kafka.tools.ConsumerPerformance";
    static final String END_TO_END_LATENCY = "org.apache.kafka.tools.EndToEndLatency";
    /** ConsumerPerformance gives up after this long without a record. */
    static final int CONSUMER_IDLE_TIMEOUT_MS = 30_000;

    ToolCommand {
        args = List.copyOf(args);
    }

    /**
     * The tool invocation of {@code workload} against {@code bootstrap}, producing to or reading {@code topic}.
     */
    static ToolCommand of(Workload workload, Scaling scaling, String bootstrap, String topic) {
        long records = scaling.records(workload);
        switch (workload.tool()) {
            case PRODUCE:
                return produce(workload, bootstrap, topic, records, -1, 0);
            case FIXED_RATE:
                return produce(workload, bootstrap, topic, records, Workload.FIXED_RATE, scaling.warmupRecords());
            case CONSUME:
                return new ToolCommand(CONSUMER_PERFORMANCE, List.of("--bootstrap-server", bootstrap, "--topic", topic,
                        "--num-records", Long.toString(records), "--timeout",
                        Integer.toString(CONSUMER_IDLE_TIMEOUT_MS)));
            case END_TO_END:
                return new ToolCommand(END_TO_END_LATENCY, List.of("--bootstrap-server", bootstrap, "--topic", topic,
                        "--num-records", Long.toString(records), "--producer-acks", workload.acks(), "--record-size",
                        Integer.toString(workload.recordSize())));
            default:
                throw new IllegalStateException("No tool for " + workload);
        }
    }

    private static ToolCommand produce(Workload workload, String bootstrap, String topic, long records,
            int throughput, long warmupRecords) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-server", bootstrap, "--topic", topic,
                "--num-records", Long.toString(records), "--record-size", Integer.toString(workload.recordSize()),
                "--throughput", Integer.toString(throughput)));
        if (warmupRecords > 0) {
            args.addAll(List.of("--warmup-records", Long.toString(warmupRecords)));
        }
        args.addAll(List.of("--command-property", "acks=" + workload.acks(), "linger.ms=5"));
        return new ToolCommand(PRODUCER_PERFORMANCE, args);
    }

    /** The class name and arguments as one shell-like line, for logs. */
    String describe() {
        return mainClass + " " + String.join(" ", args);
    }
}
