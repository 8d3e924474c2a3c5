package dev.jvlm.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * UTF-8 decoding with the exact replacement rule of Rust's {@code String::from_utf8_lossy}: every
 * maximal ill-formed subpart becomes one U+FFFD (Unicode's recommended practice). Byte-level
 * decoders produce arbitrary byte strings (a token may end in the middle of a character), so how
 * many replacement characters appear is observable in decoded text.
 */
final class Utf8 {

    static final char REPLACEMENT = '\uFFFD';

    private Utf8() {
    }

    /** Decodes {@code bytes[0..length)} replacing each maximal ill-formed subpart with U+FFFD. */
    static String decodeLossy(byte[] bytes, int length) {
        StringBuilder out = new StringBuilder(length);
        int i = 0;
        while (i < length) {
            int b0 = bytes[i] & 0xFF;
            if (b0 < 0x80) {
                out.append((char) b0);
                i++;
                continue;
            }
            int need;
            int cp;
            int lo = 0x80;
            int hi = 0xBF;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                need = 1;
                cp = b0 & 0x1F;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                need = 2;
                cp = b0 & 0x0F;
                if (b0 == 0xE0) {
                    lo = 0xA0;
                } else if (b0 == 0xED) {
                    hi = 0x9F;
                }
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                need = 3;
                cp = b0 & 0x07;
                if (b0 == 0xF0) {
                    lo = 0x90;
                } else if (b0 == 0xF4) {
                    hi = 0x8F;
                }
            } else {
                out.append(REPLACEMENT);
                i++;
                continue;
            }
            int j = i + 1;
            boolean complete = true;
            for (int k = 0; k < need; k++, j++) {
                // Only the second byte has a restricted range; later continuation bytes are 80..BF.
                int min = k == 0 ? lo : 0x80;
                int max = k == 0 ? hi : 0xBF;
                if (j >= length || (bytes[j] & 0xFF) < min || (bytes[j] & 0xFF) > max) {
                    complete = false;
                    break;
                }
                cp = (cp << 6) | (bytes[j] & 0x3F);
            }
            if (complete) {
                out.appendCodePoint(cp);
            } else {
                out.append(REPLACEMENT);
            }
            i = j;
        }
        return out.toString();
    }

    /**
     * Whether {@code bytes[0..length)} is well-formed UTF-8 (what Rust's strict {@code String::from_utf8}
     * accepts). A lossy decoding re-encodes to the input exactly when nothing had to be replaced.
     */
    static boolean isWellFormed(byte[] bytes, int length) {
        byte[] reencoded = decodeLossy(bytes, length).getBytes(StandardCharsets.UTF_8);
        return Arrays.equals(reencoded, 0, reencoded.length, bytes, 0, length);
    }
}
