package io.spool.bench.compare;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** The two JSON literals the results writer needs: strings and numbers. Stateless. */
final class Json {
    private Json() {
    }

    /** A JSON string literal, or {@code null}. */
    static String string(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** A JSON number with at most 4 decimals and no exponent, or {@code null} for NaN and infinities. */
    static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "null";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return new BigDecimal(value).setScale(4, RoundingMode.HALF_UP).stripTrailingZeros()
                .toPlainString();
    }
}
