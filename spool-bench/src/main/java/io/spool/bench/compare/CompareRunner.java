package io.spool.bench.compare;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Runs every repetition, alternating the order of the contenders (Kafka, Spool, ... then ..., Spool, Kafka) so
 * that neither always runs on a machine warmed, or heated, by the other. One owner thread.
 */
final class CompareRunner {
    private final CompareSettings settings;
    private final PrintStream out;

    CompareRunner(CompareSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    List<RunResult> run() throws InterruptedException {
        List<RunResult> results = new ArrayList<>();
        for (int repetition = 1; repetition <= settings.repetitions(); repetition++) {
            for (Contender contender : order(settings.contenders(), repetition)) {
                out.printf("repetition %d/%d: %s (logs in %s)%n", repetition, settings.repetitions(),
                        contender.label(), settings.outDir().resolve(ContenderRun.runName(repetition, contender)));
                results.addAll(new ContenderRun(settings, contender, repetition, out).run());
            }
        }
        return results;
    }

    /** The contenders in the order of repetition {@code repetition} (from 1): as given when odd, reversed when even. */
    static List<Contender> order(List<Contender> contenders, int repetition) {
        List<Contender> order = new ArrayList<>(contenders);
        if (repetition % 2 == 0) {
            Collections.reverse(order);
        }
        return order;
    }
}
