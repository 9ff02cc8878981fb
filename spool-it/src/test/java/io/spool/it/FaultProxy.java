package io.spool.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy of our own that stands between two nodes (or a client and a node) on loopback and breaks the link on
 * command: it listens on {@code 127.0.0.1:}{@link #port()} and forwards each accepted connection to the target,
 * bytes both ways, with a thread per direction. Two faults:
 * <ul>
 *   <li>{@link #cut()}: every connection is reset (RST, as a peer that crashed or a firewall rejecting) and new ones
 *       are reset as soon as they are accepted, until {@link #heal()};
 *   <li>{@link #hold()}: connections stay open but no byte moves either way, as in a network partition where packets
 *       are dropped and TCP keeps retransmitting; on {@link #heal()} the held bytes flow on, in order, unless a peer
 *       gave up on the connection meanwhile. New connections are accepted but held too.
 * </ul>
 * A half-close (FIN) is passed on as a half-close. Thread-safe.
 */
final class FaultProxy implements AutoCloseable {
    private enum State { OPEN, HELD, CUT, CLOSED }

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private State state = State.OPEN;

    private FaultProxy(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
        this.acceptor = new Thread(this::accept, "fault-proxy-" + server.getLocalPort() + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on a free loopback port to {@code 127.0.0.1:targetPort}. */
    static FaultProxy start(int targetPort) {
        return start(0, targetPort);
    }

    /** A proxy on loopback port {@code listenPort} (0: any free one) to {@code 127.0.0.1:targetPort}. */
    static FaultProxy start(int listenPort, int targetPort) {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort));
            return new FaultProxy(server, new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on 127.0.0.1:" + listenPort, e);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    /** Resets every connection and every new one until {@link #heal()}. */
    void cut() {
        setState(State.CUT);
        links.forEach(Link::reset);
    }

    /** Stops every byte, in both directions, on every connection until {@link #heal()}. */
    void hold() {
        setState(State.HELD);
    }

    /** Lets bytes flow again and new connections through. */
    void heal() {
        setState(State.OPEN);
    }

    /** Connections currently forwarded (or held). */
    int connections() {
        return links.size();
    }

    private synchronized void setState(State next) {
        if (state != State.CLOSED) {
            state = next;
            notifyAll();
        }
    }

    private synchronized State state() {
        return state;
    }

    /** Blocks a pump until bytes may flow; false when its link is gone or the proxy is closed. */
    private synchronized boolean awaitFlowing(Link link) throws InterruptedException {
        while (state == State.HELD && !link.closed) {
            wait();
        }
        return state == State.OPEN && !link.closed;
    }

    private void accept() {
        while (state() != State.CLOSED) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (state() == State.CUT) {
                abort(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(target, 5_000);
            } catch (IOException e) {
                // The target refused (it is down): the client sees its connection reset, as it would without us.
                abort(client);
                abort(upstream);
                continue;
            }
            Link link = new Link(client, upstream);
            links.add(link);
            link.start();
        }
    }

    @Override
    public void close() {
        setState(State.CLOSED);
        try {
            server.close();
        } catch (IOException e) {
            // Closing is all we wanted.
        }
        links.forEach(Link::reset);
        synchronized (this) {
            notifyAll();
        }
    }

    private static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // Close below regardless.
        }
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing more to release.
        }
    }

    /** One proxied connection: the client's socket, the one to the target, and a pump thread each way. */
    private final class Link {
        private final Socket client;
        private final Socket upstream;
        private volatile boolean closed;
        private int pumpsDone;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            String name = "fault-proxy-" + port() + "-" + client.getPort();
            Thread up = new Thread(() -> pump(client, upstream), name + "-up");
            Thread down = new Thread(() -> pump(upstream, client), name + "-down");
            up.setDaemon(true);
            down.setDaemon(true);
            up.start();
            down.start();
        }

        private void pump(Socket from, Socket to) {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    if (!awaitFlowing(this)) {
                        reset();
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
                if (!awaitFlowing(this)) {
                    reset();
                    return;
                }
                to.shutdownOutput();
                onPumpDone();
            } catch (SocketException e) {
                // A peer reset its side, or we reset this link: the other side learns it by a reset too.
                reset();
            } catch (IOException e) {
                reset();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reset();
            }
        }

        /** Both directions ended with a FIN: close quietly. */
        private void onPumpDone() {
            boolean last;
            synchronized (this) {
                last = ++pumpsDone == 2;
            }
            if (last) {
                close(client);
                close(upstream);
                forget();
            }
        }

        void reset() {
            abort(client);
            abort(upstream);
            forget();
        }

        private void forget() {
            closed = true;
            links.remove(this);
            synchronized (FaultProxy.this) {
                FaultProxy.this.notifyAll();
            }
        }

        private void close(Socket socket) {
            try {
                socket.close();
            } catch (IOException e) {
                // Nothing more to release.
            }
        }
    }
}
