package io.spool.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void shouldAlignColumnsToTheWidestCellWithoutTrailingBlanks() {
        Table table = new Table("GROUP", "PARTITION", "LAG").row("orders-long", 0, 12L).row("o", 10, 3L);

        assertThat(table.lines()).containsExactly(
                "GROUP        PARTITION  LAG",
                "orders-long  0          12",
                "o            10         3");
    }

    @Test
    void shouldPrintDashWhenACellIsMissingOrEmpty() {
        Table table = new Table("A", "B", "C").row(null, "", "x");

        assertThat(table.lines()).containsExactly("A  B  C", "-  -  x");
    }

    @Test
    void shouldPrintOnlyTheHeaderWhenThereAreNoRows() {
        Table table = new Table("GROUP", "STATE");

        assertThat(table.isEmpty()).isTrue();
        assertThat(table.lines()).containsExactly("GROUP  STATE");
    }

    @Test
    void shouldRejectARowWithTheWrongNumberOfCells() {
        assertThatThrownBy(() -> new Table("A", "B").row("x")).isInstanceOf(IllegalArgumentException.class);
    }
}
