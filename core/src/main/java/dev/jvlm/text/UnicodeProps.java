package dev.jvlm.text;

/**
 * Character classes as Rust's standard library defines them. Hugging Face tokenizers is written in
 * Rust, and Java's look-alikes differ: {@link Character#isWhitespace} excludes no-break spaces and
 * includes the ASCII information separators, while Rust's {@code char::is_whitespace} is exactly
 * the Unicode White_Space property.
 */
final class UnicodeProps {

    private UnicodeProps() {
    }

    /** Rust {@code char::is_whitespace}: the Unicode White_Space property. */
    static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    /** Rust {@code char::is_numeric}: general categories Nd, Nl and No. */
    static boolean isNumeric(int cp) {
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    /**
     * What tokenizers' Punctuation and Bert pre-tokenizers split on: ASCII punctuation (which in
     * Rust includes symbols such as {@code $ + < = > ^ ` | ~}) or a Unicode punctuation category.
     */
    static boolean isPunctuation(int cp) {
        if (cp < 0x80) {
            return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) || (cp >= 0x5B && cp <= 0x60)
                    || (cp >= 0x7B && cp <= 0x7E);
        }
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                 Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** Unicode general category M (what tokenizers' StripAccents removes). */
    static boolean isCombiningMark(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    /** Rust regex {@code \w}: alphabetic, marks, decimal digits, connector punctuation, join controls. */
    static boolean isWordChar(int cp) {
        return Character.isAlphabetic(cp) || isCombiningMark(cp)
                || Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER
                || Character.getType(cp) == Character.CONNECTOR_PUNCTUATION || cp == 0x200C || cp == 0x200D;
    }
}
