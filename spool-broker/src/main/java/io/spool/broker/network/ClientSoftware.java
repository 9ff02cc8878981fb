package io.spool.broker.network;

import java.util.regex.Pattern;
import org.apache.kafka.common.message.ApiVersionsRequestData;

/**
 * KIP-511's rule for the client software name and version an ApiVersions v3+ request carries: letters and digits,
 * with dots and dashes inside. A request that breaks it gets INVALID_REQUEST, as from Apache Kafka. Stateless.
 */
final class ClientSoftware {
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9](?:[a-zA-Z0-9\\-.]*[a-zA-Z0-9])?");

    private ClientSoftware() {
    }

    /** True when the name and version are legal; requests before v3 carry neither and always pass. */
    static boolean isValid(ApiVersionsRequestData request, short version) {
        return version < 3 || LEGAL.matcher(request.clientSoftwareName()).matches()
                && LEGAL.matcher(request.clientSoftwareVersion()).matches();
    }
}
