package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class ProduceCommandTest {

    @Test
    void shouldSendOneRecordPerLineWithKeysAndHeadersWhenBothAreGiven() throws IOException {
        MockProducer<byte[], byte[]> producer = producer(true);
        ProduceCommand command = command("k1:v1\nk2:v2\n");

        int code = command.send(producer, new ProduceLineParser(":"), ProduceCommand.headers(List.of("a=1", "b")));

        assertThat(code).isZero();
        List<ProducerRecord<byte[], byte[]>> sent = producer.history();
        assertThat(sent).hasSize(2);
        assertThat(text(sent.get(1).key())).isEqualTo("k2");
        assertThat(text(sent.get(1).value())).isEqualTo("v2");
        Header[] headers = sent.get(0).headers().toArray();
        assertThat(headers).extracting(Header::key).containsExactly("a", "b");
        assertThat(text(headers[0].value())).isEqualTo("1");
        assertThat(headers[1].value()).isNull();
        assertThat(sent).allSatisfy(r -> assertThat(r.topic()).isEqualTo("t"));
    }

    @Test
    void shouldSendToTheGivenPartitionWhenOneIsSet() throws IOException {
        MockProducer<byte[], byte[]> producer = producer(true);
        ProduceCommand command = command("x\n");
        command.partition = 2;

        command.send(producer, new ProduceLineParser(null), List.of());

        assertThat(producer.history().get(0).partition()).isEqualTo(2);
        assertThat(producer.history().get(0).key()).isNull();
    }

    @Test
    void shouldSendEmptyValueWhenLineIsEmpty() throws IOException {
        MockProducer<byte[], byte[]> producer = producer(true);

        command("\n").send(producer, new ProduceLineParser(null), List.of());

        assertThat(producer.history()).singleElement().satisfies(r -> assertThat(r.value()).isEmpty());
    }

    @Test
    void shouldFailAfterFlushingEarlierLinesWhenALineLacksTheSeparator() {
        MockProducer<byte[], byte[]> producer = producer(true);
        ProduceCommand command = command("k:v\nnokey\nk:w\n");

        assertThatThrownBy(() -> command.send(producer, new ProduceLineParser(":"), List.of()))
                .isInstanceOf(CliException.class).hasMessageContaining("Line 2");
        assertThat(producer.history()).hasSize(1);
        assertThat(producer.closed()).isTrue();
    }

    @Test
    void shouldFailWithTheBrokerErrorWhenASendFails() {
        MockProducer<byte[], byte[]> producer = producer(true);
        producer.sendException = new KafkaException("broker said no");
        ProduceCommand command = command("a\nb\n");

        assertThatThrownBy(() -> command.send(producer, new ProduceLineParser(null), List.of()))
                .isInstanceOf(CliException.class)
                .hasMessage("Failed to send 1 record(s) to t: broker said no");
    }

    @Test
    void shouldRejectHeaderWithEmptyKey() {
        assertThatThrownBy(() -> ProduceCommand.headers(List.of("=v"))).isInstanceOf(CliException.class);
    }

    private static MockProducer<byte[], byte[]> producer(boolean autoComplete) {
        return new MockProducer<>(autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ProduceCommand command(String stdin) {
        ProduceCommand command = new ProduceCommand(CliRunner.terminal(stdin, new ByteArrayOutputStream(),
                new ByteArrayOutputStream()));
        command.topic = "t";
        command.client = new ClientOptions();
        return command;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
