package elbo.nn.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) reader and string writer: just enough for safetensors headers, with
 * no dependencies.
 *
 * <p><b>Values</b> are read as: object → {@code Map<String, Object>} (insertion-ordered, unmodifiable),
 * array → {@code List<Object>}, string → {@link String}, integer literal (no fraction or exponent) →
 * {@link Long} or, when it does not fit, {@link BigInteger}, other numbers → {@link Double},
 * {@code true}/{@code false} → {@link Boolean}, {@code null} → {@link #NULL}.
 *
 * <p><b>Strictness.</b> Anything RFC 8259 forbids is rejected: trailing commas, leading zeros, unescaped
 * control characters in strings, unknown escapes, single quotes, comments, text after the value.
 * Duplicate keys in an object are rejected too (the RFC leaves them undefined; a safetensors header
 * with two tensors of the same name is invalid). Nesting is limited to {@value #MAX_DEPTH} levels so
 * a hostile file cannot overflow the stack.
 */
public final class Json {
    /** The value read for a JSON {@code null} (maps and lists cannot hold Java nulls unambiguously). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** Maximum nesting depth of arrays and objects. */
    static final int MAX_DEPTH = 64;

    /** A syntax error at a character index of the parsed text. */
    public static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int index;

        SyntaxException(String message, int index) {
            super(message);
            this.index = index;
        }

        /** The character index in the parsed text where the problem was found. */
        public int index() {
            return index;
        }
    }

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /**
     * Parses one JSON value that makes up all of {@code text} (surrounding whitespace allowed).
     *
     * @throws SyntaxException at the first character that breaks the grammar or repeats a key
     */
    public static Object parse(String text) throws SyntaxException {
        Json p = new Json(text);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the JSON value");
        }
        return value;
    }

    private Object value(int depth) throws SyntaxException {
        if (pos >= text.length()) {
            throw error("unexpected end of text, expected a value");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", NULL);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character " + describe(c) + ", expected a value");
        }
    }

    private Map<String, Object> object(int depth) throws SyntaxException {
        checkDepth(depth);
        pos++; // '{'
        Map<String, Object> out = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return Collections.unmodifiableMap(out);
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a string key");
            }
            int keyStart = pos;
            String key = string();
            if (out.containsKey(key)) {
                pos = keyStart;
                throw error("duplicate key \"" + key + "\"");
            }
            skipWhitespace();
            expect(':');
            skipWhitespace();
            out.put(key, value(depth));
            skipWhitespace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == '}') {
                pos++;
                return Collections.unmodifiableMap(out);
            } else {
                throw error("expected ',' or '}' in object");
            }
        }
    }

    private List<Object> array(int depth) throws SyntaxException {
        checkDepth(depth);
        pos++; // '['
        List<Object> out = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(out);
        }
        while (true) {
            skipWhitespace();
            out.add(value(depth));
            skipWhitespace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == ']') {
                pos++;
                return Collections.unmodifiableList(out);
            } else {
                throw error("expected ',' or ']' in array");
            }
        }
    }

    private String string() throws SyntaxException {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return sb.toString();
            }
            if (c < 0x20) {
                throw error("unescaped control character " + describe(c) + " in string");
            }
            if (c != '\\') {
                sb.append(c);
                pos++;
                continue;
            }
            if (pos + 1 >= text.length()) {
                throw error("unterminated escape sequence");
            }
            char e = text.charAt(pos + 1);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 6 > text.length()) {
                        throw error("truncated \\u escape");
                    }
                    int code = 0;
                    for (int k = pos + 2; k < pos + 6; k++) {
                        int digit = hexValue(text.charAt(k));
                        if (digit < 0) {
                            throw error("invalid hex digit in \\u escape");
                        }
                        code = code * 16 + digit;
                    }
                    sb.append((char) code);
                    pos += 4;
                }
                default -> throw error("invalid escape \\" + e);
            }
            pos += 2;
        }
    }

    private Object number() throws SyntaxException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) {
                throw error("leading zero in number");
            }
        } else if (isDigit(peek())) {
            while (isDigit(peek())) {
                pos++;
            }
        } else {
            throw error("expected a digit");
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) {
                throw error("expected a digit after the decimal point");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("expected a digit in the exponent");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        String literal = text.substring(start, pos);
        if (!integral) {
            return Double.parseDouble(literal);
        }
        BigInteger big = new BigInteger(literal);
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }

    private Object literal(String word, Object value) throws SyntaxException {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected character " + describe(text.charAt(pos)) + ", expected a value");
        }
        pos += word.length();
        return value;
    }

    private void checkDepth(int depth) throws SyntaxException {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels");
        }
    }

    private void expect(char c) throws SyntaxException {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    /** The current character, or {@code '\0'} (never valid where peeked) at the end. */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    /** The value of an ASCII hex digit, or -1. */
    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private SyntaxException error(String message) {
        String where = pos >= text.length() ? "at end of text" : "at character " + pos;
        return new SyntaxException(message + " (" + where + ")", pos);
    }

    private static String describe(char c) {
        return c < 0x20 || c == 0x7f ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    // ---- writing ----------------------------------------------------------------------------------

    /**
     * Appends {@code s} as a JSON string literal: quotes, with {@code "} and {@code \} escaped, control
     * characters as {@code \n}, {@code \t}, ... or <code>&#92;u00XX</code>, everything else (including non-ASCII)
     * as is.
     */
    public static void appendString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * {@code value} as JSON text on one line: a {@code Map} with string keys → object (in its iteration
     * order), a {@code List} or {@code double[]}/{@code int[]} → array, {@code String} → string,
     * {@code Boolean} → true/false, an integral {@code Number} → integer, another {@code Number} →
     * number in Java's shortest round-trip form, with NaN and ±∞ (which JSON cannot hold) → null;
     * {@code null} or {@link #NULL} → null.
     *
     * @throws IllegalArgumentException for any other type, or a map key that is not a string
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        appendValue(out, value);
        return out.toString();
    }

    private static void appendValue(StringBuilder out, Object value) {
        switch (value) {
            case null -> out.append("null");
            case String s -> appendString(out, s);
            case Boolean b -> out.append(b);
            case Byte n -> out.append(n);
            case Short n -> out.append(n);
            case Integer n -> out.append(n);
            case Long n -> out.append(n);
            case BigInteger n -> out.append(n);
            case Number n -> {
                double d = n.doubleValue();
                out.append(Double.isFinite(d) ? Double.toString(d) : "null");
            }
            case double[] a -> {
                List<Object> list = new ArrayList<>();
                for (double d : a) {
                    list.add(d);
                }
                appendValue(out, list);
            }
            case int[] a -> {
                List<Object> list = new ArrayList<>();
                for (int i : a) {
                    list.add(i);
                }
                appendValue(out, list);
            }
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    out.append(i == 0 ? "" : ", ");
                    appendValue(out, list.get(i));
                }
                out.append(']');
            }
            case Map<?, ?> map -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new IllegalArgumentException("Json.write: map key " + e.getKey() + " is not a string");
                    }
                    out.append(first ? "" : ", ");
                    first = false;
                    appendString(out, key);
                    out.append(": ");
                    appendValue(out, e.getValue());
                }
                out.append('}');
            }
            default -> {
                if (value == NULL) {
                    out.append("null");
                } else {
                    throw new IllegalArgumentException("Json.write: cannot write a " + value.getClass().getName());
                }
            }
        }
    }
}
