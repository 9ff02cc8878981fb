package io.spool.bench.compare;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What every part of one {@code spool bench compare} run shares: where results go, the Kafka jars and tool
 * runner, the workloads and their scale. Immutable.
 */
record CompareSettings(Path outDir, ApacheKafkaJars jars, ToolRunner tools, ProcStats proc, Scaling scaling,
        List<Workload> workloads, List<Contender> contenders, int repetitions, Duration toolTimeout) {
    CompareSettings {
        workloads = List.copyOf(workloads);
        contenders = List.copyOf(contenders);
    }
}
