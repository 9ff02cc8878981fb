package io.spool.broker.cluster;

import io.spool.protocol.RequestFrames;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * A blocking Kafka-protocol connection from this node to another: one request at a time, answered in order. Used
 * by the threads that fetch from other nodes (replica fetchers), never by an event loop. A
 * failed call closes the connection; the caller opens a new one. Not thread-safe.
 */
public final class KafkaConnection implements AutoCloseable {
    /** The largest response accepted, so a confused peer cannot make us allocate without bound. */
    private static final int MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

    private final String host;
    private final int port;
    private final String clientId;
    private final Socket socket = new Socket();
    private DataInputStream in;
    private OutputStream out;
    private int nextCorrelationId;

    public KafkaConnection(String host, int port, String clientId) {
        this.host = host;
        this.port = port;
        this.clientId = clientId;
    }

    public void connect(int timeoutMs) throws IOException {
        socket.connect(new InetSocketAddress(host, port), timeoutMs);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024));
        out = socket.getOutputStream();
    }

    public boolean isConnected() {
        return in != null && !socket.isClosed();
    }

    /** Sends one request and waits at most {@code timeoutMs} for its response. */
    public ApiMessage call(ApiKeys api, short version, ApiMessage request, int timeoutMs) throws IOException {
        if (!isConnected()) {
            throw new IOException("Not connected to " + host + ":" + port);
        }
        int correlationId = nextCorrelationId++;
        try {
            ByteBuffer frame = RequestFrames.encode(api, version, correlationId, clientId, request);
            out.write(frame.array(), frame.arrayOffset(), frame.remaining());
            out.flush();
            socket.setSoTimeout(Math.max(1, timeoutMs));
            int size = in.readInt();
            if (size < 4 || size > MAX_RESPONSE_BYTES) {
                throw new IOException("Bad response size " + size + " from " + host + ":" + port);
            }
            byte[] body = new byte[size];
            in.readFully(body);
            ByteBuffer buffer = ByteBuffer.wrap(body);
            int received = RequestFrames.correlationId(buffer);
            if (received != correlationId) {
                throw new IOException("Response " + received + " for request " + correlationId + " from " + host
                        + ":" + port);
            }
            return RequestFrames.decodeResponse(api, version, buffer);
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? io : new IOException("Bad response from " + host + ":" + port, e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return "KafkaConnection(" + host + ":" + port + ")";
    }
}
