package io.spool.cli;

/** Reads separators given on the command line, where a shell makes a literal tab awkward to type. Stateless. */
final class Separators {
    private Separators() {
    }

    /** Turns the escapes {@code \t}, {@code \n} and {@code \\} into the characters they name. */
    static String unescape(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char next = text.charAt(i + 1);
                switch (next) {
                    case 't' -> sb.append('\t');
                    case 'n' -> sb.append('\n');
                    case '\\' -> sb.append('\\');
                    default -> sb.append(c).append(next);
                }
                i++;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
