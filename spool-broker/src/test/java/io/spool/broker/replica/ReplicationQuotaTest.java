package io.spool.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReplicationQuotaTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong nanos = new AtomicLong(42);
    private final ReplicationQuota quota = new ReplicationQuota(nanos::get);

    @Test
    void shouldNeverBeExceededWhenRateIsUnlimited() {
        quota.record(Long.MAX_VALUE / 2);

        assertThat(quota.isExceeded()).isFalse();
    }

    @Test
    void shouldAllowOneSecondOfBytesThenBeExceededWhenOverRate() {
        quota.updateRate(1000);

        quota.record(1000);
        assertThat(quota.isExceeded()).isFalse();
        quota.record(1);
        assertThat(quota.isExceeded()).isTrue();
    }

    @Test
    void shouldRecoverAfterTheRateHasPaidForTheDebt() {
        quota.updateRate(1000);
        quota.record(3000);

        nanos.addAndGet(SECOND);
        assertThat(quota.isExceeded()).isTrue();
        nanos.addAndGet(SECOND + 1);
        assertThat(quota.isExceeded()).isFalse();
    }

    @Test
    void shouldKeepLongRunRateAtTheLimitWhenSendingWheneverAllowed() {
        quota.updateRate(10_000);
        long sent = 0;
        for (int ms = 0; ms < 10_000; ms++) {
            nanos.addAndGet(SECOND / 1000);
            if (!quota.isExceeded()) {
                quota.record(4096);
                sent += 4096;
            }
        }
        // Ten seconds at 10 kB/s, plus at most the one-second burst and one fetch past it.
        assertThat(sent).isBetween(100_000L, 100_000L + 10_000 + 4096);
    }

    @Test
    void shouldNotCapBurstAboveOneSecondWhenIdle() {
        quota.updateRate(1000);
        nanos.addAndGet(60 * SECOND);

        quota.record(1500);

        assertThat(quota.isExceeded()).isTrue();
    }
}
