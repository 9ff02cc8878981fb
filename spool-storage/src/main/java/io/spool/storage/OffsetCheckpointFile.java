package io.spool.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * A per-log-dir text file mapping partitions to an offset ({@code recovery-point-offset-checkpoint},
 * {@code log-start-offset-checkpoint}), in the same format as Kafka's so operators' tools read it:
 *
 * <pre>
 * 0                      version
 * 2                      number of entries
 * orders 0 1500          topic partition offset
 * orders 1 1490
 * </pre>
 *
 * Written atomically (temp file, fsync, rename, fsync dir); a crash leaves the old or the new file. Stateless.
 */
final class OffsetCheckpointFile {

    static final String RECOVERY_POINT = "recovery-point-offset-checkpoint";
    static final String LOG_START_OFFSET = "log-start-offset-checkpoint";
    /** Kafka's name for the high watermark checkpoint. */
    static final String HIGH_WATERMARK = "replication-offset-checkpoint";
    /** Per compacted partition: offsets below are cleaned (Kafka's name). */
    static final String CLEANER = "cleaner-offset-checkpoint";

    private OffsetCheckpointFile() {
    }

    static void write(Path file, Map<TopicPartition, Long> offsets) throws IOException {
        StringBuilder sb = new StringBuilder().append("0\n").append(offsets.size()).append('\n');
        offsets.forEach((tp, offset) -> sb.append(tp.topic()).append(' ').append(tp.partition()).append(' ')
            .append(offset).append('\n'));
        Fs.atomicWrite(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Reads the file; a missing file is empty, a malformed one is reported. */
    static Map<TopicPartition, Long> read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        try {
            if (lines.size() < 2 || !lines.get(0).trim().equals("0")) {
                throw new IOException("unsupported checkpoint header in " + file);
            }
            int count = Integer.parseInt(lines.get(1).trim());
            if (lines.size() < 2 + count) {
                throw new IOException("checkpoint " + file + " has fewer entries than " + count);
            }
            Map<TopicPartition, Long> result = new HashMap<>();
            for (int i = 0; i < count; i++) {
                String[] parts = lines.get(2 + i).trim().split(" ");
                if (parts.length != 3) {
                    throw new IOException("malformed checkpoint line '" + lines.get(2 + i) + "' in " + file);
                }
                result.put(new TopicPartition(parts[0], Integer.parseInt(parts[1])), Long.parseLong(parts[2]));
            }
            return result;
        } catch (NumberFormatException e) {
            throw new IOException("malformed checkpoint " + file, e);
        }
    }
}
