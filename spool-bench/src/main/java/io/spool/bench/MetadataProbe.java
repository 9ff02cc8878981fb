package io.spool.bench;

import io.spool.protocol.RequestFrames;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * Sends one Metadata request over a plain socket and reports whether a topic is served (listed, with a leader).
 * Kept free of client start-up costs so that it measures the broker, not the probe. Stateless.
 */
public final class MetadataProbe {
    private static final short VERSION = 12;

    private MetadataProbe() {
    }

    /** True once the broker answers Metadata listing {@code topic} with a leader for every partition. */
    public static boolean serves(int port, String topic) {
        MetadataResponseData response = tryMetadata(port);
        return response != null && response.topics().stream().anyMatch(t -> t.name().equals(topic)
                && t.errorCode() == 0 && !t.partitions().isEmpty()
                && t.partitions().stream().allMatch(p -> p.leaderId() >= 0));
    }

    /** True as soon as the broker answers Metadata at all, whatever the answer: the end of start-up. */
    public static boolean answers(int port) {
        return tryMetadata(port) != null;
    }

    /** The broker's Metadata response for all topics, or null when it did not answer within 5 s. */
    private static MetadataResponseData tryMetadata(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request());
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            ByteBuffer buffer = ByteBuffer.wrap(body);
            ResponseHeader.parse(buffer, ApiKeys.METADATA.responseHeaderVersion(VERSION));
            MetadataResponseData response = new MetadataResponseData();
            response.read(new ByteBufferAccessor(buffer), VERSION);
            return response;
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] request() {
        ByteBuffer frame = RequestFrames.encode(ApiKeys.METADATA, VERSION, 1, "startup-probe",
                new MetadataRequestData().setTopics(null).setAllowAutoTopicCreation(false));
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        return bytes;
    }
}
