package io.spool.coordinator;

/** A property of the coordinator that must hold after every step of a simulation. */
interface Invariant {

    /** @throws AssertionError naming what broke */
    void check(GroupSimulation sim);
}
