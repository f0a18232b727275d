package elbo.models.report;

/**
 * A 5×7 bitmap font for figure labels. Each glyph is 35 bits: row r (top = 0), column c (left = 0) is
 * bit {@code r * 5 + (4 - c)}. Unknown characters (and space) are blank.
 */
final class Font {
    private Font() {
    }

    static long glyph(char ch) {
        return switch (ch) {
            case 'A' -> 0x4631FC62EL;
            case 'B' -> 0x7A31F463EL;
            case 'C' -> 0x3A308422EL;
            case 'D' -> 0x7A318C63EL;
            case 'E' -> 0x7E10F421FL;
            case 'F' -> 0x4210F421FL;
            case 'G' -> 0x3E31BC22EL;
            case 'H' -> 0x4631FC631L;
            case 'I' -> 0x38842108EL;
            case 'J' -> 0x324210847L;
            case 'K' -> 0x4654C5251L;
            case 'L' -> 0x7E1084210L;
            case 'M' -> 0x4631AD771L;
            case 'N' -> 0x4633AE631L;
            case 'O' -> 0x3A318C62EL;
            case 'P' -> 0x4210F463EL;
            case 'Q' -> 0x36558C62EL;
            case 'R' -> 0x4654F463EL;
            case 'S' -> 0x78217420FL;
            case 'T' -> 0x10842109FL;
            case 'U' -> 0x3A318C631L;
            case 'V' -> 0x11518C631L;
            case 'W' -> 0x2AB5AC631L;
            case 'X' -> 0x462A22A31L;
            case 'Y' -> 0x108422A31L;
            case 'Z' -> 0x7E082083FL;
            case '0' -> 0x3A39ACE2EL;
            case '1' -> 0x388421184L;
            case '2' -> 0x7D041062EL;
            case '3' -> 0x3A211105FL;
            case '4' -> 0x085F928C2L;
            case '5' -> 0x3A210FA1FL;
            case '6' -> 0x3A31F4106L;
            case '7' -> 0x21082083FL;
            case '8' -> 0x3A317462EL;
            case '9' -> 0x30417C62EL;
            case '.' -> 0x318000000L;
            case ',' -> 0x208C00000L;
            case '-' -> 0x0000F8000L;
            case '+' -> 0x0084F9080L;
            case '=' -> 0x001F07C00L;
            case ':' -> 0x018C03180L;
            case '(' -> 0x088842082L;
            case ')' -> 0x208210888L;
            case '/' -> 0x020820820L;
            case '_' -> 0x7C0000000L;
            case '%' -> 0x0E6820B38L;
            case '>' -> 0x208208888L;
            case '<' -> 0x088882082L;
            case '|' -> 0x108421084L; // a full-height bar: 'I' has serifs, ':' has two dots
            case '\'' -> 0x000002084L;
            case '"' -> 0x00000014AL;
            case '\u00B2' -> 0x001E4124CL; // superscript two
            case '\u00D7' -> 0x022A22A20L; // multiplication sign
            case '!' -> 0x100421084L;
            case '?' -> 0x10041062EL;
            case '[' -> 0x39084210EL;
            case ']' -> 0x38421084EL;
            case '*' -> 0x009575480L;
            case '#' -> 0x295F57D4AL;
            case ';' -> 0x208C03180L;
            case '~' -> 0x0002AA000L;
            default -> 0L;
        };
    }
}
