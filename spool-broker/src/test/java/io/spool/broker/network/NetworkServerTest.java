package io.spool.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spool.protocol.RequestFrames;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NetworkServerTest {
    private static final short VERSION = 3;

    private final NetworkServer server = new NetworkServer(new NetworkServer.Settings(1, 1 << 20, 1 << 20, 60_000,
            100, 100), RequestDispatcher.builder().apiVersions(0, 4).build());

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void shouldAnswerNoConnectionUntilItStartsAcceptingThenAnswerThoseThatWaited() throws Exception {
        int port = server.bind("PLAINTEXT", "127.0.0.1", 0);
        try (Socket early = connect(port)) {
            send(early, 1);
            early.setSoTimeout(300);
            assertThatThrownBy(() -> early.getInputStream().read()).as("answered before the node was ready")
                    .isInstanceOf(SocketTimeoutException.class);

            server.startAccepting();

            early.setSoTimeout(10_000);
            assertThat(answer(early).errorCode()).isZero();
            try (Socket late = connect(port)) {
                send(late, 2);
                assertThat(answer(late).errorCode()).isZero();
            }
        }
    }

    @Test
    void shouldAcceptAtOnceOnAListenerBoundAfterItStartedAccepting() throws Exception {
        server.startAccepting();
        int port = server.bind("PLAINTEXT", "127.0.0.1", 0);
        try (Socket socket = connect(port)) {
            send(socket, 1);
            assertThat(answer(socket).errorCode()).isZero();
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void send(Socket socket, int correlationId) throws IOException {
        ByteBuffer frame = RequestFrames.encode(ApiKeys.API_VERSIONS, VERSION, correlationId, "test",
                new ApiVersionsRequestData().setClientSoftwareName("test").setClientSoftwareVersion("1"));
        socket.getOutputStream().write(frame.array(), frame.arrayOffset(), frame.remaining());
        socket.getOutputStream().flush();
    }

    private static ApiVersionsResponseData answer(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return (ApiVersionsResponseData) RequestFrames.decodeResponse(ApiKeys.API_VERSIONS, VERSION,
                ByteBuffer.wrap(body));
    }
}
