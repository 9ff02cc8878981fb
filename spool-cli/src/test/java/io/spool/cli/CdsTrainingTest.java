package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CdsTrainingTest {
    /**
     * bin/spool records the class-data archive from this run: a node that failed to start, or to answer a client's
     * first requests, would leave the archive without the classes that serve them and every start slower.
     */
    @Test
    void shouldStartANodeAnswerAClientsFirstRequestsAndStop() {
        assertThat(CdsTraining.run()).isEqualTo(SpoolCli.EXIT_OK);
    }
}
