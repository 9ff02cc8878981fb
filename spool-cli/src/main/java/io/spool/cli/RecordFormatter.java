package io.spool.cli;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Renders a consumed record as one line: the requested fields in a fixed order, each followed by the separator,
 * then the value. Keys, values and header values are decoded as UTF-8; {@code null} prints as {@code null}.
 *
 * <pre>
 * Partition:0 SEP Offset:41 SEP CreateTime:1714564800000 SEP key SEP h1=v1,h2=v2 SEP value
 * </pre>
 * Immutable.
 */
final class RecordFormatter {
    /** Which fields precede the value. */
    record Fields(boolean partition, boolean offset, boolean timestamp, boolean key, boolean headers) {
        static Fields valueOnly() {
            return new Fields(false, false, false, false, false);
        }
    }

    private final Fields fields;
    private final String separator;

    RecordFormatter(Fields fields, String separator) {
        this.fields = fields;
        this.separator = separator;
    }

    String format(ConsumerRecord<byte[], byte[]> record) {
        StringBuilder sb = new StringBuilder();
        if (fields.partition()) {
            sb.append("Partition:").append(record.partition()).append(separator);
        }
        if (fields.offset()) {
            sb.append("Offset:").append(record.offset()).append(separator);
        }
        if (fields.timestamp()) {
            sb.append(record.timestampType()).append(':').append(record.timestamp()).append(separator);
        }
        if (fields.key()) {
            sb.append(text(record.key())).append(separator);
        }
        if (fields.headers()) {
            appendHeaders(sb, record);
            sb.append(separator);
        }
        return sb.append(text(record.value())).toString();
    }

    private static void appendHeaders(StringBuilder sb, ConsumerRecord<byte[], byte[]> record) {
        boolean first = true;
        for (Header h : record.headers()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(h.key()).append('=').append(text(h.value()));
        }
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "null" : new String(bytes, StandardCharsets.UTF_8);
    }
}
