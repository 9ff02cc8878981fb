package io.spool.bench.compare;

import java.time.Instant;

/** What a results file records about the run as a whole, so that numbers can be compared later. Immutable. */
record RunInfo(Instant started, double seconds, int cpus, String javaVersion, String kafkaVersion,
        String kafkaToolsVersion, Scaling scaling, int repetitions) {
}
