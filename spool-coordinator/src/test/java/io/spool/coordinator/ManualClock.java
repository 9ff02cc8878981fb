package io.spool.coordinator;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that moves only when told. */
public final class ManualClock extends Clock {

    private long nowMs;

    public ManualClock(long startMs) {
        this.nowMs = startMs;
    }

    public void set(long ms) {
        nowMs = ms;
    }

    @Override
    public long millis() {
        return nowMs;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(nowMs);
    }
}
