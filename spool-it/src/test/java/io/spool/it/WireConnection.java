package io.spool.it;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * A raw TCP connection to a Kafka listener, for tests that send bytes no Kafka client would: it writes arbitrary
 * bytes or well-formed frames built from the kafka-clients message classes, and reads back either one response
 * frame or the news that the broker closed the connection. Every read is bounded by a timeout, and a timeout is a
 * test failure ({@link AssertionError}), never a silent pass: "no answer and no close" is a hang. Used by one thread.
 */
final class WireConnection implements AutoCloseable {
    /** Correlation id of the probe behind a request; tests must not use it for their own requests. */
    static final int PROBE_ID = 0x50524F42;
    /** A response larger than this is treated as a framing bug of the broker rather than allocated. */
    private static final int MAX_RESPONSE_BYTES = 64 << 20;

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final Duration timeout;

    private WireConnection(Socket socket, Duration timeout) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
        this.timeout = timeout;
    }

    static WireConnection open(int port, Duration timeout) {
        return open("127.0.0.1", port, timeout);
    }

    static WireConnection open(String host, int port, Duration timeout) {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) timeout.toMillis());
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return new WireConnection(socket, timeout);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException("Cannot connect to " + host + ":" + port, e);
        }
    }

    /**
     * Writes bytes. Returns false if the broker had already closed the connection (reset or broken pipe): a broker
     * may close as soon as it has seen enough of a bad frame.
     */
    boolean send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (SocketException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean send(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return send(bytes);
    }

    /** Half-closes: the broker reads end-of-stream after what was sent. */
    void shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            // Already closed by the broker: the same end state.
        }
    }

    /**
     * Reads one response frame (its bytes after the size field), or null if the broker closed the connection (end
     * of stream or reset) before a complete frame.
     *
     * @throws AssertionError if neither happens within the timeout, or the size field is not a plausible size
     */
    ByteBuffer readFrame() {
        try {
            int size = in.readInt();
            if (size < 0 || size > MAX_RESPONSE_BYTES) {
                throw new AssertionError("Broker sent a response frame size of " + size);
            }
            byte[] body = new byte[size];
            in.readFully(body);
            return ByteBuffer.wrap(body);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("Broker neither answered nor closed the connection within " + timeout, e);
        } catch (EOFException | SocketException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits for the broker to close the connection, discarding whatever it sends first.
     *
     * @return the number of complete response frames received before the close
     * @throws AssertionError if the connection is still open after the timeout
     */
    int awaitClose() {
        int frames = 0;
        while (readFrame() != null) {
            frames++;
        }
        return frames;
    }

    /** Closes with a reset (SO_LINGER 0), as a crashed client or a cut link would, not with an orderly FIN. */
    void abort() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // Closing below is all that is left to do.
        }
        closeQuietly(socket);
    }

    /**
     * Sends {@code frame} and, behind it, an ApiVersions probe; since responses leave in request order, the probe's
     * answer proves the broker has finished with the frame, even one that gets no response (acks=0 Produce).
     *
     * @return the answers that came before the probe's, or null if the broker closed the connection instead
     */
    List<ByteBuffer> answeredOrClosed(ByteBuffer frame) {
        if (!send(frame) || !send(probe())) {
            if (readFrame() != null) {
                throw new AssertionError("Broker answered after resetting the connection");
            }
            return null;
        }
        List<ByteBuffer> answers = new ArrayList<>();
        for (ByteBuffer answer = readFrame(); answer != null; answer = readFrame()) {
            if (answer.getInt(0) == PROBE_ID) {
                return answers;
            }
            answers.add(answer);
        }
        return null;
    }

    /** Sends a request and parses its answer, which must come (not a close) and be well-formed. */
    <T extends ApiMessage> T request(ApiKeys key, short version, int correlationId, ApiMessage body) {
        if (!send(frame(key, version, correlationId, "spool-it", body))) {
            throw new AssertionError("Broker closed the connection before " + key + " v" + version + " was sent");
        }
        ByteBuffer response = readFrame();
        if (response == null) {
            throw new AssertionError("Broker closed the connection instead of answering " + key + " v" + version);
        }
        return parseResponse(response, key, version, correlationId);
    }

    /**
     * Parses a response frame as {@code key}'s response at {@code version} to request {@code correlationId}.
     *
     * @throws AssertionError if the correlation id differs or bytes follow the body
     */
    @SuppressWarnings("unchecked")
    static <T extends ApiMessage> T parseResponse(ByteBuffer response, ApiKeys key, short version,
            int correlationId) {
        // ApiVersions answers always use header v0, so that a client of any version can read the error.
        short headerVersion = key == ApiKeys.API_VERSIONS ? 0 : key.responseHeaderVersion(version);
        ByteBufferAccessor accessor = new ByteBufferAccessor(response.duplicate());
        int id = new ResponseHeaderData(accessor, headerVersion).correlationId();
        if (id != correlationId) {
            throw new AssertionError("Answer to " + key + " v" + version + " has correlation id " + id + ", not "
                    + correlationId);
        }
        ApiMessage body = key.messageType.newResponse();
        body.read(accessor, version);
        if (accessor.remaining() != 0) {
            throw new AssertionError(accessor.remaining() + " bytes follow the " + key + " v" + version + " response");
        }
        return (T) body;
    }

    private static ByteBuffer probe() {
        return frame(ApiKeys.API_VERSIONS, (short) 3, PROBE_ID, "probe",
                new ApiVersionsRequestData().setClientSoftwareName("probe").setClientSoftwareVersion("1"));
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing more to release.
        }
    }

    /** A complete request frame: size, header of the version the API and version call for, body. */
    static ByteBuffer frame(ApiKeys key, short version, int correlationId, String clientId, ApiMessage body) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId(clientId);
        return frame(header, key.requestHeaderVersion(version), body, version);
    }

    /** A frame from a header and a body written at explicit versions, which need not be ones the API defines. */
    static ByteBuffer frame(RequestHeaderData header, short headerVersion, ApiMessage body, short bodyVersion) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int headerSize = header.size(cache, headerVersion);
        int bodySize = body == null ? 0 : body.size(cache, bodyVersion);
        ByteBuffer buffer = ByteBuffer.allocate(4 + headerSize + bodySize);
        buffer.putInt(headerSize + bodySize);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        if (body != null) {
            body.write(accessor, cache, bodyVersion);
        }
        buffer.flip();
        return buffer;
    }

    /** The bytes of a frame holding only a request header, followed by {@code body} verbatim. */
    static ByteBuffer frame(short apiKey, short version, int correlationId, String clientId, short headerVersion,
            byte[] body) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(apiKey).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId(clientId);
        ByteBuffer head = frame(header, headerVersion, null, (short) 0);
        ByteBuffer buffer = ByteBuffer.allocate(head.remaining() + body.length);
        buffer.putInt(head.getInt() + body.length).put(head).put(body).flip();
        return buffer;
    }
}
