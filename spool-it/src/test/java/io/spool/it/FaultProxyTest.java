package io.spool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link FaultProxy} in front of a small echo server: forwarding, half-close, cut, hold and heal. */
class FaultProxyTest {
    private static final int TIMEOUT_MS = 5_000;

    private ServerSocket echo;
    private Thread echoThread;
    private FaultProxy proxy;

    @BeforeEach
    void startEchoServerAndProxy() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThread = new Thread(this::serveEcho, "echo-server");
        echoThread.setDaemon(true);
        echoThread.start();
        proxy = FaultProxy.start(echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    /** Echoes every connection's bytes back until the peer half-closes, then half-closes too. */
    private void serveEcho() {
        while (!echo.isClosed()) {
            try {
                Socket socket = echo.accept();
                Thread connection = new Thread(() -> {
                    try (socket) {
                        socket.getInputStream().transferTo(socket.getOutputStream());
                        socket.shutdownOutput();
                    } catch (IOException e) {
                        // A reset from the proxy: this connection is over.
                    }
                }, "echo-connection");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Test
    void shouldForwardBytesBothWaysWhenOpen() throws IOException {
        byte[] payload = new byte[1 << 20];
        new Random(7).nextBytes(payload);
        try (Socket socket = connect()) {
            Thread writer = new Thread(() -> {
                try {
                    socket.getOutputStream().write(payload);
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            assertThat(socket.getInputStream().readAllBytes()).isEqualTo(payload);
        }
    }

    @Test
    void shouldPassAHalfCloseOn() throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write("ping".getBytes());
            socket.shutdownOutput();
            assertThat(new String(socket.getInputStream().readAllBytes())).isEqualTo("ping");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.connections() == 0);
    }

    @Test
    void shouldResetConnectionsAndRefuseNewOnesWhenCutUntilHealed() throws IOException {
        try (Socket before = connect()) {
            assertThat(roundTrip(before, "one")).isEqualTo("one");
            proxy.cut();
            assertThatThrownBy(() -> {
                // The first write may still be buffered locally; the reset shows on a read at the latest.
                before.getOutputStream().write("two".getBytes());
                if (before.getInputStream().read() >= 0) {
                    throw new AssertionError("a byte came through a cut link");
                }
                throw new IOException("end of stream instead of a reset");
            }).isInstanceOf(IOException.class);
        }
        try (Socket during = connect()) {
            assertThatThrownBy(() -> {
                during.getOutputStream().write("three".getBytes());
                if (during.getInputStream().read() >= 0) {
                    throw new AssertionError("a byte came through a cut link");
                }
                throw new IOException("end of stream instead of a reset");
            }).isInstanceOf(IOException.class);
        }
        proxy.heal();
        try (Socket after = connect()) {
            assertThat(roundTrip(after, "four")).isEqualTo("four");
        }
    }

    @Test
    void shouldHoldBytesUntilHealedThenDeliverThemInOrder() throws IOException {
        try (Socket socket = connect()) {
            assertThat(roundTrip(socket, "a")).isEqualTo("a");
            proxy.hold();
            OutputStream out = socket.getOutputStream();
            out.write("held-1,".getBytes());
            out.write("held-2".getBytes());
            socket.setSoTimeout(500);
            // Nothing can arrive while held; a short wait is the only way to observe an absence.
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            proxy.heal();
            socket.setSoTimeout(TIMEOUT_MS);
            byte[] back = new byte["held-1,held-2".length()];
            new DataInputStream(socket.getInputStream()).readFully(back);
            assertThat(new String(back)).isEqualTo("held-1,held-2");
        }
    }

    @Test
    void shouldResetTheClientWhenTheTargetIsDown() throws IOException {
        echo.close();
        try (Socket socket = connect()) {
            assertThatThrownBy(() -> {
                socket.getOutputStream().write("x".getBytes());
                if (socket.getInputStream().read() >= 0) {
                    throw new AssertionError("a byte came from a target that is down");
                }
            }).isInstanceOf(IOException.class);
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout(TIMEOUT_MS);
        return socket;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes());
        out.flush();
        byte[] back = new byte[text.length()];
        InputStream in = socket.getInputStream();
        new DataInputStream(in).readFully(back);
        return new String(back);
    }
}
