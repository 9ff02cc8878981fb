package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordFormatterTest {
    private static final RecordFormatter.Fields ALL = new RecordFormatter.Fields(true, true, true, true, true);

    @Test
    void shouldPrintOnlyTheValueWhenNoFieldIsRequested() {
        String line = new RecordFormatter(RecordFormatter.Fields.valueOnly(), "\t").format(record("k", "v"));

        assertThat(line).isEqualTo("v");
    }

    @Test
    void shouldPrintRequestedFieldsInOrderThenTheValue() {
        ConsumerRecord<byte[], byte[]> r = record("k", "v");
        r.headers().add("h1", bytes("x")).add("h2", bytes("y"));

        String line = new RecordFormatter(ALL, "\t").format(r);

        assertThat(line).isEqualTo("Partition:3\tOffset:42\tCreateTime:1700000000000\tk\th1=x,h2=y\tv");
    }

    @Test
    void shouldUseTheGivenSeparatorBetweenFields() {
        String line = new RecordFormatter(new RecordFormatter.Fields(false, true, false, true, false), " | ")
                .format(record("k", "v"));

        assertThat(line).isEqualTo("Offset:42 | k | v");
    }

    @Test
    void shouldPrintNullWhenKeyValueOrHeaderValueIsNull() {
        ConsumerRecord<byte[], byte[]> r = record(null, null);
        r.headers().add("h", null);

        String line = new RecordFormatter(new RecordFormatter.Fields(false, false, false, true, true), ",")
                .format(r);

        assertThat(line).isEqualTo("null,h=null,null");
    }

    @Test
    void shouldPrintEmptyHeadersFieldWhenRecordHasNone() {
        String line = new RecordFormatter(new RecordFormatter.Fields(false, false, false, false, true), "\t")
                .format(record("k", "v"));

        assertThat(line).isEqualTo("\tv");
    }

    @Test
    void shouldNameLogAppendTimeWhenBrokerSetTheTimestamp() {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("t", 0, 1, 5L, TimestampType.LOG_APPEND_TIME, 0, 0,
                null, bytes("v"), new RecordHeaders(), Optional.empty());

        String line = new RecordFormatter(new RecordFormatter.Fields(false, false, true, false, false), "\t")
                .format(r);

        assertThat(line).isEqualTo("LogAppendTime:5\tv");
    }

    static ConsumerRecord<byte[], byte[]> record(String key, String value) {
        return new ConsumerRecord<>("t", 3, 42, 1_700_000_000_000L, TimestampType.CREATE_TIME, 0, 0,
                key == null ? null : bytes(key), value == null ? null : bytes(value), new RecordHeaders(),
                Optional.empty());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
