package io.spool.storage;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The log cleaner's key to latest-offset map, in a fixed amount of memory: an open-addressing hash table of
 * MD5 digests of record keys (collisions between different keys are as unlikely as MD5 collisions) with linear
 * probing. It never grows: {@link #isFull} tells the cleaner to stop adding and clean what it has mapped.
 *
 * <pre>
 * slot i at i * 24:
 *   0   digest   16 bytes  MD5 of the key
 *   16  offset+1  8 bytes  0 = empty slot
 * </pre>
 *
 * Not thread-safe: owned by one cleaning.
 */
final class OffsetMap {

    static final int SLOT_BYTES = 24;
    private static final int DIGEST_BYTES = 16;

    private final ByteBuffer slots;
    private final int capacity;
    private final int maxEntries;
    private final MessageDigest md5;
    private final byte[] digest = new byte[DIGEST_BYTES];
    private int size;

    /**
     * @param memoryBytes bytes of the table (whole slots)
     * @param loadFactor  share of the slots that may be filled before the map is full
     */
    OffsetMap(int memoryBytes, double loadFactor) {
        this.capacity = memoryBytes / SLOT_BYTES;
        if (capacity < 2) {
            throw new IllegalArgumentException("an offset map needs at least two slots: " + memoryBytes + " bytes");
        }
        // One slot always stays empty, so that a probe for an absent key ends.
        this.maxEntries = Math.max(1, Math.min(capacity - 1, (int) (capacity * loadFactor)));
        this.slots = ByteBuffer.allocate(capacity * SLOT_BYTES);
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no MD5", e);
        }
    }

    /** Maps {@code key} (read from its position to its limit, untouched) to {@code offset}, replacing any. */
    void put(ByteBuffer key, long offset) {
        int slot = find(key);
        if (slots.getLong(slot * SLOT_BYTES + DIGEST_BYTES) == 0) {
            if (size >= maxEntries) {
                throw new IllegalStateException("offset map is full: " + size + " entries");
            }
            slots.put(slot * SLOT_BYTES, digest);
            size++;
        }
        slots.putLong(slot * SLOT_BYTES + DIGEST_BYTES, offset + 1);
    }

    /** The offset mapped for {@code key}, or -1. */
    long get(ByteBuffer key) {
        int slot = find(key);
        return slots.getLong(slot * SLOT_BYTES + DIGEST_BYTES) - 1;
    }

    /** True when fewer than {@code more} new keys still fit. */
    boolean isFull(int more) {
        return size + more > maxEntries;
    }

    int size() {
        return size;
    }

    int maxEntries() {
        return maxEntries;
    }

    /** Digests {@code key} into {@link #digest} and returns the slot that holds it or the empty slot for it. */
    private int find(ByteBuffer key) {
        md5.update(key.duplicate());
        try {
            md5.digest(digest, 0, DIGEST_BYTES);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
        long h = ((long) (digest[0] & 0xff) << 24 | (digest[1] & 0xff) << 16 | (digest[2] & 0xff) << 8
            | (digest[3] & 0xff)) & 0x7fffffffL;
        int slot = (int) (h % capacity);
        while (true) {
            int base = slot * SLOT_BYTES;
            if (slots.getLong(base + DIGEST_BYTES) == 0 || sameDigest(base)) {
                return slot;
            }
            slot = slot + 1 == capacity ? 0 : slot + 1;
        }
    }

    private boolean sameDigest(int base) {
        for (int i = 0; i < DIGEST_BYTES; i++) {
            if (slots.get(base + i) != digest[i]) {
                return false;
            }
        }
        return true;
    }
}
