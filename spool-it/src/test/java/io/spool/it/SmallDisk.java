package io.spool.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A small filesystem of its own for one node's data directory (a size-limited tmpfs mounted over it), so that a
 * test can fill it up: {@link #fill} writes a ballast file until the filesystem answers "no space left on device",
 * and {@link #free} deletes it again. Only the node's own disk fills; the machine's does not. Needs root. Used by one
 * test thread; {@link #close} unmounts it.
 */
final class SmallDisk implements AutoCloseable {
    private static final String BALLAST = ".spool-it-ballast";

    private final Path mountPoint;
    private boolean full;

    private SmallDisk(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Mounts a tmpfs of {@code bytes} over {@code dir} (created if missing). */
    static SmallDisk mount(Path dir, long bytes) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ExternalCommand.runAdmin(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes, "spool-it-disk",
                dir.toString()), null);
        return new SmallDisk(dir);
    }

    Path path() {
        return mountPoint;
    }

    boolean isFull() {
        return full;
    }

    /** Fills every free byte with a ballast file; returns how many bytes it took. */
    long fill() {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        long written = 0;
        try (FileChannel ballast = FileChannel.open(mountPoint.resolve(BALLAST), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            while (true) {
                chunk.clear();
                written += ballast.write(chunk);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw new UncheckedIOException("Cannot fill " + mountPoint, e);
            }
        }
        full = true;
        return written;
    }

    /** Deletes the ballast: the node's disk has room again. */
    void free() {
        try {
            Files.deleteIfExists(mountPoint.resolve(BALLAST));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        full = false;
    }

    @Override
    public void close() {
        try {
            ExternalCommand.runAdmin(List.of("umount", "-l", mountPoint.toString()), null);
        } catch (RuntimeException e) {
            System.err.println("SmallDisk: " + e.getMessage());
        }
    }
}
