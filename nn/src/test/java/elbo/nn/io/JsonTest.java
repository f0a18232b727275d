package elbo.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void readsObjectsArraysStringsNumbersAndLiterals() throws Exception {
        Object v = Json.parse(" {\"a\": [1, -2, 0, 1.5, -3e2, true, false, null], \"b\": {}, \"c\": [] }\n");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("a", "b", "c"), List.copyOf(m.keySet()));
        assertEquals(List.of(1L, -2L, 0L, 1.5, -300.0, true, false, Json.NULL), m.get("a"));
        assertEquals(Map.of(), m.get("b"));
        assertEquals(List.of(), m.get("c"));
        assertEquals(new BigInteger("123456789012345678901234567890"), Json.parse("123456789012345678901234567890"));
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(new BigInteger("9223372036854775808"), Json.parse("9223372036854775808"));
    }

    @Test
    void writesWhatItReadsBackAndNullForNonFiniteNumbers() throws Exception {
        Map<String, Object> value = new java.util.LinkedHashMap<>();
        value.put("n", 3);
        value.put("x", -0.1);
        value.put("tiny", 4.9e-324);
        value.put("s", "a\"b\n\u0001é");
        value.put("list", List.of(1L, true, "x"));
        value.put("doubles", new double[] {1.5, Double.NaN, Double.NEGATIVE_INFINITY});
        value.put("ints", new int[] {2, -3});
        value.put("none", null);
        String text = Json.write(value);
        assertEquals("{\"n\": 3, \"x\": -0.1, \"tiny\": 4.9E-324, \"s\": \"a\\\"b\\n\\u0001é\", \"list\": [1, true, "
                + "\"x\"], \"doubles\": [1.5, null, null], \"ints\": [2, -3], \"none\": null}", text);
        Map<?, ?> back = (Map<?, ?>) Json.parse(text);
        assertEquals(-0.1, back.get("x"));
        assertEquals(4.9e-324, back.get("tiny"));          // shortest round-trip form: exact
        assertEquals("a\"b\n\u0001é", back.get("s"));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of(1, 2)));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }

    @Test
    void decodesEveryEscape() throws Exception {
        assertEquals("\" \\ / \b \f \n \r \t é 😀", Json.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00\""));
        assertEquals("é😀", Json.parse("\"é😀\""));
        assertEquals("\u0000", Json.parse("\"\\u0000\""));
    }

    @Test
    void rejectsDuplicateKeysAtTheirPosition() {
        Json.SyntaxException e = assertThrows(Json.SyntaxException.class, () -> Json.parse("{\"x\":1, \"x\":2}"));
        assertTrue(e.getMessage().contains("duplicate key \"x\""), e.getMessage());
        assertEquals(8, e.index());
    }

    @Test
    void rejectsWhatTheRfcForbids() {
        String[] bad = {"", "{", "{\"a\":1,}", "[1,]", "01", "-", "1.", ".5", "1e", "+1", "'a'", "\"a", "\"\\x\"",
            "\"\\u12G4\"", "\"tab\there\"", "{\"a\" 1}", "{a:1}", "[1 2]", "tru", "nul", "1 2", "{} x", "// c\n{}", "[NaN]"};
        for (String text : bad) {
            assertThrows(Json.SyntaxException.class, () -> Json.parse(text), text);
        }
    }

    @Test
    void limitsNestingDepth() throws Exception {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Json.parse(ok);
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        Json.SyntaxException e = assertThrows(Json.SyntaxException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("nesting"), e.getMessage());
    }

    @Property(tries = 300)
    void writtenStringsReadBackUnchanged(@ForAll String s) throws Exception {
        StringBuilder sb = new StringBuilder();
        Json.appendString(sb, s);
        assertEquals(s, Json.parse(sb.toString()));
    }
}
