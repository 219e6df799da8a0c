package io.specwatch.tensorfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The few Python literals a {@code .npy} header uses (what numpy reads with {@code ast.literal_eval}):
 * dicts, tuples, lists, strings, integers, True, False, None. Nothing is evaluated; nesting is bounded.
 */
final class PythonLiteral {

    /** A Python tuple (a list is a Java {@link List}). */
    record Tuple(List<Object> items) {
    }

    /** Python's None. */
    enum None { NONE }

    private final String text;
    private final int maxDepth;
    private final boolean longSuffix;
    private int at;

    private PythonLiteral(String text, int maxDepth, boolean longSuffix) {
        this.text = text;
        this.maxDepth = maxDepth;
        this.longSuffix = longSuffix;
    }

    /**
     * Parses one literal that fills the whole text (surrounding whitespace allowed).
     *
     * @param longSuffix accept Python 2's {@code 3L} integers (numpy filters them from version 1 and 2 headers)
     */
    static Object parse(String text, int maxDepth, boolean longSuffix) throws TensorFormatException {
        PythonLiteral p = new PythonLiteral(text, maxDepth, longSuffix);
        Object value = p.value(0);
        p.space();
        if (p.at != text.length()) {
            throw p.error("unexpected text after the header dict");
        }
        return value;
    }

    private Object value(int depth) throws TensorFormatException {
        if (depth > maxDepth) {
            throw error("nested deeper than " + maxDepth);
        }
        space();
        if (at >= text.length()) {
            throw error("header ends early");
        }
        char c = text.charAt(at);
        switch (c) {
            case '{':
                return dict(depth);
            case '(':
                return new Tuple(sequence(')', depth, true));
            case '[':
                return sequence(']', depth, false);
            case '\'':
            case '"':
                return string(c);
            default:
                break;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return integer();
        }
        for (String word : new String[] {"True", "False", "None"}) {
            if (text.startsWith(word, at)) {
                at += word.length();
                return word.equals("None") ? None.NONE : Boolean.valueOf(word.equals("True"));
            }
        }
        throw error("unexpected character '" + Printable.of(String.valueOf(c)) + "'");
    }

    private Map<Object, Object> dict(int depth) throws TensorFormatException {
        at++;
        Map<Object, Object> map = new LinkedHashMap<>();
        while (true) {
            space();
            if (peek('}')) {
                at++;
                return map;
            }
            Object key = value(depth + 1);
            space();
            if (!peek(':')) {
                throw error("expected ':' in the header dict");
            }
            at++;
            Object v = value(depth + 1);
            if (!(key instanceof String) && !(key instanceof Long)) {
                throw error("header dict keys must be strings");
            }
            if (map.put(key, v) != null) {
                throw error("duplicate key '" + Printable.of(String.valueOf(key)) + "'");
            }
            space();
            if (peek(',')) {
                at++;
            } else if (!peek('}')) {
                throw error("expected ',' or '}' in the header dict");
            }
        }
    }

    private List<Object> sequence(char close, int depth, boolean tuple) throws TensorFormatException {
        at++;
        List<Object> items = new ArrayList<>();
        boolean comma = false;
        while (true) {
            space();
            if (peek(close)) {
                at++;
                if (tuple && items.size() == 1 && !comma) {
                    // (x) is x in Python, not a tuple
                    throw error("a one-element tuple needs a trailing comma");
                }
                return items;
            }
            items.add(value(depth + 1));
            space();
            comma = false;
            if (peek(',')) {
                at++;
                comma = true;
            } else if (!peek(close)) {
                throw error("expected ',' or '" + close + "'");
            }
        }
    }

    private String string(char quote) throws TensorFormatException {
        at++;
        StringBuilder s = new StringBuilder();
        while (at < text.length()) {
            char c = text.charAt(at++);
            if (c == quote) {
                return s.toString();
            }
            if (c == '\n') {
                break;
            }
            if (c == '\\' && at < text.length()) {
                char e = text.charAt(at++);
                s.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    case '0' -> '\0';
                    default -> e;
                });
            } else {
                s.append(c);
            }
        }
        throw error("unterminated string");
    }

    private Long integer() throws TensorFormatException {
        int start = at;
        if (peek('-')) {
            at++;
        }
        int digits = at;
        while (at < text.length() && Character.isDigit(text.charAt(at)) && text.charAt(at) < 128) {
            at++;
        }
        if (at == digits) {
            throw error("expected a digit");
        }
        if (at - digits > 18) {
            throw error("integer " + Printable.of(text.substring(start, at)) + " is too large");
        }
        long v = Long.parseLong(text.substring(start, at));
        if (longSuffix && peek('L')) {
            at++;
        }
        return v;
    }

    private boolean peek(char c) {
        return at < text.length() && text.charAt(at) == c;
    }

    private void space() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f') {
                return;
            }
            at++;
        }
    }

    private TensorFormatException error(String what) {
        return new TensorFormatException("malformed .npy header: " + what + " (at character " + at + ")");
    }
}
