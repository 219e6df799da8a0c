package io.specwatch.tensorfile;

/**
 * Text from a file made safe to print on a terminal: tensor names and paths can carry escape
 * sequences (ESC, CSI, bidirectional overrides) that would rewrite what the user sees.
 */
public final class Printable {

    /** Longest text shown; longer names are cut (a header may hold a megabyte-long name). */
    static final int MAX_SHOWN = 256;

    private Printable() {
    }

    /**
     * Control characters (C0, DEL, C1), line and paragraph separators and bidirectional controls as
     * {@code \xNN} or {@code \}{@code uNNNN}; text beyond {@value #MAX_SHOWN} characters is cut with a note.
     */
    public static String of(String text) {
        if (text == null) {
            return "null";
        }
        int shown = Math.min(text.length(), MAX_SHOWN);
        StringBuilder out = null;
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            if (unsafe(c)) {
                if (out == null) {
                    out = new StringBuilder(shown + 16).append(text, 0, i);
                }
                out.append(c <= 0xff ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        String result = out == null ? text.substring(0, shown) : out.toString();
        return shown < text.length() ? result + "…(" + text.length() + " characters)" : result;
    }

    private static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f
                || c == 0x061c || c == 0xfeff;
    }
}
