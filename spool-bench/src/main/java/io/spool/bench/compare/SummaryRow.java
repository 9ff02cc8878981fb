package io.spool.bench.compare;

import java.util.Map;

/**
 * The median of one metric of one workload (or {@link RunResult#START}/{@link RunResult#WHOLE_RUN}) per contender,
 * over the repetitions that succeeded. Immutable.
 */
record SummaryRow(String workload, Metric metric, Map<Contender, Double> medians, Map<Contender, Integer> counts) {
    SummaryRow {
        medians = Map.copyOf(medians);
        counts = Map.copyOf(counts);
    }

    /** The contender's median, NaN when it has no successful run. */
    double median(Contender contender) {
        return medians.getOrDefault(contender, Double.NaN);
    }

    /** The contender's median over Kafka's, NaN when either is missing or Kafka's is zero. */
    double ratioToKafka(Contender contender) {
        double kafka = median(Contender.KAFKA);
        double value = median(contender);
        return kafka == 0 || Double.isNaN(kafka) || Double.isNaN(value) ? Double.NaN : value / kafka;
    }
}
