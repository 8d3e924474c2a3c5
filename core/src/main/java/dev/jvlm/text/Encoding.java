package dev.jvlm.text;

import java.util.Arrays;

/**
 * Token ids with the span of the input each token came from (Hugging Face's
 * {@code return_offsets_mapping}). Offsets are UTF-16 indexes into the encoded Java string, so
 * {@code text.substring(start(i), end(i))} is token {@code i}'s source text; Python reports code
 * point indexes instead, which differ only after characters outside the Basic Multilingual Plane.
 * Special tokens added by the post-processor have the empty span (0, 0). A token holding only part
 * of a character's bytes (byte-level and byte-fallback vocabularies) spans the whole character.
 */
public final class Encoding {

    private final int[] ids;
    private final int[] starts;
    private final int[] ends;

    Encoding(int[] ids, int[] starts, int[] ends) {
        this.ids = ids;
        this.starts = starts;
        this.ends = ends;
    }

    public int size() {
        return ids.length;
    }

    public int id(int index) {
        return ids[index];
    }

    /** UTF-16 index of the first input character of token {@code index}. */
    public int start(int index) {
        return starts[index];
    }

    /** UTF-16 index just past the last input character of token {@code index}. */
    public int end(int index) {
        return ends[index];
    }

    public int[] ids() {
        return ids.clone();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Encoding[");
        for (int i = 0; i < ids.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(ids[i]).append('(').append(starts[i]).append(',').append(ends[i]).append(')');
        }
        return sb.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Encoding e && Arrays.equals(ids, e.ids) && Arrays.equals(starts, e.starts) && Arrays.equals(ends, e.ends);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(ids) + Arrays.hashCode(starts)) + Arrays.hashCode(ends);
    }
}
