package io.spool.it;

import org.junit.jupiter.api.Assumptions;

/**
 * Whether the tests may inject the faults that need privileges on this machine: network cuts ({@link NetworkLab})
 * and full disks ({@link SmallDisk}), which need root, iproute2 and nftables. A test that needs them fails when the
 * machine cannot, naming what is missing, unless the run says {@code -Dspool.it.privileged=false}: then it is
 * skipped (and {@link ClusterFaultIT} runs on loopback without them). {@code .ci/run} says so only when its probe
 * finds that network namespaces cannot be made, and prints why.
 */
final class PrivilegedFaults {
    static final String PROPERTY = "spool.it.privileged";

    private PrivilegedFaults() {
    }

    /** Whether the run allows privileged faults; when it does, the machine must support them. */
    static boolean enabled() {
        return !"false".equals(System.getProperty(PROPERTY));
    }

    /** For a test that needs privileged faults: skips it when the run disallows them, fails when the machine cannot. */
    static void require() {
        Assumptions.assumeTrue(enabled(), "-D" + PROPERTY + "=false: network and disk faults are not injected");
        String missing = NetworkLab.unavailableReason();
        if (missing != null) {
            throw new AssertionError("This test cuts network links and fills disks, and this machine cannot: "
                    + missing + ". Run as root with iproute2 and nftables, or skip it with -D" + PROPERTY + "=false");
        }
    }
}
