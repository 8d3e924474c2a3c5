package dev.jvlm.text;

import java.util.Arrays;

/**
 * GPT-2's reversible mapping between the 256 byte values and 256 printable characters, used by
 * byte-level tokenizers so that every byte string has a text form without whitespace or control
 * characters: printable Latin-1 bytes map to themselves, the other 68 to U+0100 upwards in byte order.
 */
final class ByteLevelAlphabet {

    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Inverse of {@link #BYTE_TO_CHAR}, indexed by character; -1 where a character is not in the alphabet. */
    private static final short[] CHAR_TO_BYTE = new short[0x144];

    static {
        Arrays.fill(CHAR_TO_BYTE, (short) -1);
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = (short) b;
        }
    }

    private ByteLevelAlphabet() {
    }

    static char charOf(int unsignedByte) {
        return BYTE_TO_CHAR[unsignedByte];
    }

    /** The byte a character stands for, or -1 when the character is not part of the alphabet. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }
}
