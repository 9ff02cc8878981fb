package io.spool.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Producer-state snapshot {@code %020d.snapshot}, named after the log end offset it was taken at.
 *
 * <pre>
 *  0        2        6        10
 *  +--------+--------+--------+------------------------------------------------------------------+
 *  |version |crc32c  | count  | count producer entries                                           |
 *  | int16=2| uint32 | int32  |                                                                  |
 *  +--------+--------+--------+------------------------------------------------------------------+
 *  entry v2: producerId int64 | epoch int16 | lastTimestamp int64 | coordinatorEpoch int32
 *            | currentTxnFirstOffset int64 (-1: none) | nBatches int32 | nBatches x batch
 *  entry v1: producerId int64 | epoch int16 | lastTimestamp int64 | nBatches int32 | nBatches x batch
 *  batch:  firstSeq int32 | lastSeq int32 | firstOffset int64 | lastOffset int64 | timestamp int64
 *  crc32c covers everything from count to the end of the file.
 * </pre>
 *
 * Version 2 is written; version 1 (written before transactions were accepted, so without any) is still read.
 *
 * Written atomically; a snapshot that fails its CRC is deleted and an older one (or a replay from the log start)
 * is used instead. Stateless.
 */
final class ProducerSnapshotFile {

    static final String SUFFIX = ".snapshot";
    private static final short VERSION = 2;
    private static final short VERSION_1 = 1;

    private ProducerSnapshotFile() {
    }

    static Path path(Path dir, long offset) {
        return dir.resolve(LogSegment.fileName(offset, SUFFIX));
    }

    static void write(Path dir, long offset, ProducerStateManager state) throws IOException {
        int size = 10;
        for (ProducerStateManager.ProducerEntry e : state.entries()) {
            size += 34 + e.batches.size() * 32;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putShort(VERSION).putInt(0).putInt(state.producerCount());
        for (ProducerStateManager.ProducerEntry e : state.entries()) {
            buf.putLong(e.producerId).putShort(e.epoch).putLong(e.lastTimestamp).putInt(e.coordinatorEpoch)
                .putLong(e.currentTxnFirstOffset).putInt(e.batches.size());
            for (ProducerStateManager.BatchMetadata b : e.batches) {
                buf.putInt(b.firstSeq()).putInt(b.lastSeq()).putLong(b.firstOffset()).putLong(b.lastOffset())
                    .putLong(b.timestamp());
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 6, size - 6);
        buf.putInt(2, (int) crc.getValue());
        Fs.atomicWrite(path(dir, offset), buf.array());
    }

    /** Loads a snapshot into {@code state} (cleared first); false if the file is corrupt. */
    static boolean read(Path file, ProducerStateManager state) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
        state.clear();
        try {
            short version = buf.getShort();
            if (version != VERSION && version != VERSION_1) {
                return false;
            }
            int storedCrc = buf.getInt();
            CRC32C crc = new CRC32C();
            crc.update(buf.array(), 6, buf.limit() - 6);
            if ((int) crc.getValue() != storedCrc) {
                return false;
            }
            int count = buf.getInt();
            for (int i = 0; i < count; i++) {
                ProducerStateManager.ProducerEntry e = new ProducerStateManager.ProducerEntry(buf.getLong(),
                    buf.getShort(), buf.getLong());
                if (version == VERSION) {
                    e.coordinatorEpoch = buf.getInt();
                    e.currentTxnFirstOffset = buf.getLong();
                }
                int batches = buf.getInt();
                for (int j = 0; j < batches; j++) {
                    e.batches.addLast(new ProducerStateManager.BatchMetadata(buf.getInt(), buf.getInt(),
                        buf.getLong(), buf.getLong(), buf.getLong()));
                }
                state.put(e);
            }
            return true;
        } catch (BufferUnderflowException e) {
            state.clear();
            return false;
        }
    }

    /** Deletes every snapshot in {@code dir} (the log restarts empty at another offset). */
    static void deleteAll(Path dir) throws IOException {
        for (long offset : list(dir)) {
            Files.deleteIfExists(path(dir, offset));
        }
    }

    /** Offsets of the snapshots in {@code dir}, ascending. */
    static List<Long> list(Path dir) throws IOException {
        List<Long> offsets = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX))
                .forEach(n -> offsets.add(Long.parseLong(n.substring(0, n.length() - SUFFIX.length()))));
        }
        offsets.sort(null);
        return offsets;
    }
}
