package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProduceLineParserTest {

    @Test
    void shouldUseWholeLineAsValueWhenNoSeparatorIsSet() {
        ProduceLineParser.Parsed p = new ProduceLineParser(null).parse("a:b\tc", 1);

        assertThat(p.key()).isNull();
        assertThat(text(p.value())).isEqualTo("a:b\tc");
    }

    @Test
    void shouldSplitAtFirstSeparatorWhenSeparatorIsSet() {
        ProduceLineParser.Parsed p = new ProduceLineParser(":").parse("k:v:w", 1);

        assertThat(text(p.key())).isEqualTo("k");
        assertThat(text(p.value())).isEqualTo("v:w");
    }

    @Test
    void shouldSupportMultiCharacterSeparators() {
        ProduceLineParser.Parsed p = new ProduceLineParser("::").parse("k:x::v", 1);

        assertThat(text(p.key())).isEqualTo("k:x");
        assertThat(text(p.value())).isEqualTo("v");
    }

    @Test
    void shouldAllowEmptyKeyAndEmptyValue() {
        ProduceLineParser.Parsed p = new ProduceLineParser("=").parse("=", 1);

        assertThat(p.key()).isEmpty();
        assertThat(p.value()).isEmpty();
    }

    @Test
    void shouldKeepNonAsciiTextAsUtf8() {
        ProduceLineParser.Parsed p = new ProduceLineParser("\t").parse("clé\tvaleur €", 1);

        assertThat(text(p.key())).isEqualTo("clé");
        assertThat(text(p.value())).isEqualTo("valeur €");
    }

    @Test
    void shouldFailNamingTheLineWhenSeparatorIsMissing() {
        assertThatThrownBy(() -> new ProduceLineParser("\t").parse("no key here", 7))
                .isInstanceOf(CliException.class)
                .hasMessage("Line 7 has no key separator '\\t'");
    }

    @Test
    void shouldUnescapeTabWhenSeparatorIsGivenAsEscape() {
        assertThat(Separators.unescape("\\t")).isEqualTo("\t");
        assertThat(Separators.unescape("a\\\\b")).isEqualTo("a\\b");
        assertThat(Separators.unescape("\\x")).isEqualTo("\\x");
        assertThat(Separators.unescape("|")).isEqualTo("|");
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
