package io.spool.broker.fetch;

import java.util.List;

/**
 * What one fetch request reads: the partitions in order, whether the response lists all of them (a full fetch)
 * or only those with news (an incremental one), and the session it belongs to, if any. Immutable.
 */
record FetchPlan(FetchSession session, List<FetchSession.Entry> entries, boolean full) {

    static FetchPlan sessionless(List<FetchSession.Entry> entries) {
        return new FetchPlan(null, entries, true);
    }

    static FetchPlan full(FetchSession session, List<FetchSession.Entry> entries) {
        return new FetchPlan(session, entries, true);
    }

    static FetchPlan incremental(FetchSession session, List<FetchSession.Entry> entries) {
        return new FetchPlan(session, entries, false);
    }

    int responseSessionId() {
        return session == null ? 0 : session.id();
    }
}
