package io.spool.coordinator.txn;

/** A property of a {@link TxnSimulation} that holds after every step; throws AssertionError when broken. */
interface TxnInvariant {

    void check(TxnSimulation sim);
}
