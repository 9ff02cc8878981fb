package io.spool.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class OffsetMapTest {

    private static ByteBuffer key(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 200)
    void shouldReturnTheLastOffsetPutForEachKey(@ForAll @Size(max = 300) List<@StringLength(max = 6) String> keys) {
        OffsetMap map = new OffsetMap(OffsetMap.SLOT_BYTES * 1000, 0.9);
        Map<String, Long> expected = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            map.put(key(keys.get(i)), i);
            expected.put(keys.get(i), (long) i);
        }
        assertThat(map.size()).isEqualTo(expected.size());
        expected.forEach((k, offset) -> assertThat(map.get(key(k))).isEqualTo(offset));
        assertThat(map.get(key("not-a-generated-key-because-too-long"))).isEqualTo(-1);
    }

    @Test
    void shouldReportFullAtTheLoadFactorAndRefuseMoreKeys() {
        OffsetMap map = new OffsetMap(OffsetMap.SLOT_BYTES * 10, 0.5);
        for (int i = 0; i < 5; i++) {
            assertThat(map.isFull(1)).isFalse();
            map.put(key("k" + i), i);
        }
        assertThat(map.isFull(1)).isTrue();
        map.put(key("k0"), 100);
        assertThat(map.get(key("k0"))).isEqualTo(100);
        assertThatThrownBy(() -> map.put(key("new"), 6)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldLeaveTheKeyBufferUntouched() {
        OffsetMap map = new OffsetMap(OffsetMap.SLOT_BYTES * 10, 0.9);
        ByteBuffer k = key("abc");
        map.put(k, 1);
        assertThat(k.remaining()).isEqualTo(3);
    }
}
