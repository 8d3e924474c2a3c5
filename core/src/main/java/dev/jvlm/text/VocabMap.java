package dev.jvlm.text;

/**
 * Token → id, in an open-addressing table that can also be probed with the UTF-8 bytes of a token
 * (straight from tokenizer.json, without making a String) or with the concatenation of two tokens
 * (what a BPE merge produces, without building it). Loading a large BPE model is mostly such
 * lookups: three per merge. Hashes are {@link String#hashCode}, computed from the bytes when
 * probing with bytes.
 */
final class VocabMap {

    private String[] keys;
    private int[] hashes;
    private int[] values;
    private int mask;
    private int shift;
    private int size;

    VocabMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(8, expected * 2 - 1)) << 1;
        keys = new String[capacity];
        hashes = new int[capacity];
        values = new int[capacity];
        mask = capacity - 1;
        shift = 32 - Integer.numberOfTrailingZeros(capacity);
    }

    int size() {
        return size;
    }

    /**
     * Home slot of a hash: Fibonacci hashing takes the high bits of the product, so that similar
     * tokens (whose String hashes are close) do not form the long runs linear probing hates.
     */
    private int slot(int h) {
        return (h * 0x9E3779B9) >>> shift;
    }

    /** Adds or replaces an entry (a later duplicate key wins, as in a map). */
    void put(String key, int value) {
        if ((size + 1) * 4L > keys.length * 3L) {
            grow();
        }
        int h = key.hashCode();
        int i = slot(h);
        while (keys[i] != null) {
            if (hashes[i] == h && keys[i].equals(key)) {
                values[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        hashes[i] = h;
        values[i] = value;
        size++;
    }

    private void grow() {
        String[] oldKeys = keys;
        int[] oldValues = values;
        keys = new String[oldKeys.length * 2];
        hashes = new int[keys.length];
        values = new int[keys.length];
        mask = keys.length - 1;
        shift = 32 - Integer.numberOfTrailingZeros(keys.length);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    /** The id of {@code key}, or -1. */
    int get(String key) {
        int h = key.hashCode();
        for (int i = slot(h); keys[i] != null; i = (i + 1) & mask) {
            if (hashes[i] == h && keys[i].equals(key)) {
                return values[i];
            }
        }
        return -1;
    }

    /** The id of the token whose UTF-8 encoding is {@code utf8[from..to)} (well-formed UTF-8), or -1. */
    int get(byte[] utf8, int from, int to) {
        int h = 0;
        int units = 0;
        int i = from;
        while (i < to) {
            int b = utf8[i];
            if (b >= 0) {
                h = 31 * h + b;
                units++;
                i++;
                continue;
            }
            int cp = decode(utf8, i);
            i += utf8Length(b);
            if (cp >= 0x10000) {
                h = 31 * (31 * h + Character.highSurrogate(cp)) + Character.lowSurrogate(cp);
                units += 2;
            } else {
                h = 31 * h + cp;
                units++;
            }
        }
        for (int slot = slot(h); keys[slot] != null; slot = (slot + 1) & mask) {
            if (hashes[slot] == h && keys[slot].length() == units && equalsUtf8(keys[slot], utf8, from, to)) {
                return values[slot];
            }
        }
        return -1;
    }

    /** The id of {@code left + right.substring(skip)}, or -1, without building that string. */
    int getConcat(String left, String right, int skip) {
        int h = left.hashCode();
        for (int k = skip; k < right.length(); k++) {
            h = 31 * h + right.charAt(k);
        }
        int length = left.length() + right.length() - skip;
        for (int slot = slot(h); keys[slot] != null; slot = (slot + 1) & mask) {
            String key = keys[slot];
            if (hashes[slot] == h && key.length() == length && key.startsWith(left)
                    && key.regionMatches(left.length(), right, skip, right.length() - skip)) {
                return values[slot];
            }
        }
        return -1;
    }

    /** The keys indexed by their values (ids); ids without a key are null. */
    String[] keysById() {
        int max = -1;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                max = Math.max(max, values[i]);
            }
        }
        String[] out = new String[max + 1];
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                out[values[i]] = keys[i];
            }
        }
        return out;
    }

    private static int utf8Length(int leadByte) {
        int b = leadByte & 0xFF;
        return b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    }

    private static int decode(byte[] utf8, int i) {
        int b = utf8[i] & 0xFF;
        if (b >= 0xF0) {
            return ((b & 0x07) << 18) | ((utf8[i + 1] & 0x3F) << 12) | ((utf8[i + 2] & 0x3F) << 6) | (utf8[i + 3] & 0x3F);
        }
        if (b >= 0xE0) {
            return ((b & 0x0F) << 12) | ((utf8[i + 1] & 0x3F) << 6) | (utf8[i + 2] & 0x3F);
        }
        return ((b & 0x1F) << 6) | (utf8[i + 1] & 0x3F);
    }

    private static boolean equalsUtf8(String key, byte[] utf8, int from, int to) {
        int k = 0;
        int i = from;
        while (i < to) {
            int b = utf8[i];
            if (b >= 0) {
                if (key.charAt(k++) != b) {
                    return false;
                }
                i++;
                continue;
            }
            int cp = decode(utf8, i);
            i += utf8Length(b);
            if (cp >= 0x10000) {
                if (key.charAt(k++) != Character.highSurrogate(cp) || key.charAt(k++) != Character.lowSurrogate(cp)) {
                    return false;
                }
            } else if (key.charAt(k++) != cp) {
                return false;
            }
        }
        return true;
    }
}
