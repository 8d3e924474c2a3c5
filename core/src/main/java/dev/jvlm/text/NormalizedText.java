package dev.jvlm.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A piece of the input on its way through normalization and pre-tokenization (Hugging Face's
 * {@code NormalizedString}). Besides the current text it remembers, for every UTF-16 unit, the span
 * of the original input it came from, so that token offsets can be reported against the input.
 *
 * <p>Slices of the untouched input, by far the most common pieces, store no per-unit arrays: unit
 * {@code i} then stands for original unit {@code base + i}. Instances are immutable.
 */
final class NormalizedText {

    /** Replacement for one code point, or {@code null} to keep it. */
    @FunctionalInterface
    interface CodePointMapper {
        String map(int codePoint);
    }

    private final String text;
    /** Original span of each unit of {@link #text}, or both null for the identity mapping at {@link #base}. */
    private final int[] starts;
    private final int[] ends;
    /** Identity mapping origin; for mapped text, the original position of an empty piece. */
    private final int base;

    private NormalizedText(String text, int[] starts, int[] ends, int base) {
        this.text = text;
        this.starts = starts;
        this.ends = ends;
        this.base = base;
    }

    static NormalizedText of(String original) {
        return new NormalizedText(original, null, null, 0);
    }

    String text() {
        return text;
    }

    int length() {
        return text.length();
    }

    boolean isEmpty() {
        return text.isEmpty();
    }

    /** Original offset of unit {@code i}'s start. */
    int originalStart(int i) {
        return starts == null ? base + i : starts[i];
    }

    /** Original offset of unit {@code i}'s end. */
    int originalEnd(int i) {
        return ends == null ? base + i + 1 : ends[i];
    }

    /** Where this piece begins in the original input. */
    int originalStart() {
        return text.isEmpty() ? base : originalStart(0);
    }

    NormalizedText slice(int from, int to) {
        if (from == 0 && to == text.length()) {
            return this;
        }
        String sub = text.substring(from, to);
        if (starts == null) {
            return new NormalizedText(sub, null, null, base + from);
        }
        int origin = from < text.length() ? starts[from] : (text.isEmpty() ? base : ends[text.length() - 1]);
        return new NormalizedText(sub, Arrays.copyOfRange(starts, from, to), Arrays.copyOfRange(ends, from, to), origin);
    }

    /**
     * Puts {@code prefix} in front. Like tokenizers, the inserted units get an empty span at the
     * start of the piece: they come from nowhere in the input.
     */
    NormalizedText prepend(String prefix) {
        if (text.isEmpty() || prefix.isEmpty()) {
            return this;
        }
        Builder builder = new Builder(prefix.length() + text.length());
        int at = originalStart(0);
        builder.append(prefix, at, at);
        builder.appendFrom(this, 0, text.length());
        return builder.build(base);
    }

    /** Replaces every code point the mapper maps; produced units inherit the source code point's span. */
    NormalizedText mapCodePoints(CodePointMapper mapper) {
        Builder builder = null;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int n = Character.charCount(cp);
            String replacement = mapper.map(cp);
            if (replacement != null && builder == null) {
                builder = new Builder(text.length() + 8);
                builder.appendFrom(this, 0, i);
            }
            if (builder != null) {
                if (replacement == null) {
                    builder.appendFrom(this, i, i + n);
                } else {
                    builder.append(replacement, originalStart(i), originalEnd(i + n - 1));
                }
            }
            i += n;
        }
        return builder == null ? this : builder.build(originalStart());
    }

    /**
     * Replaces the given non-overlapping ranges (sorted, as {start, end} pairs) by {@code content}.
     * As in tokenizers, every replacement unit takes the span of the first replaced code point;
     * content inserted at an empty match takes the span of the unit before it.
     */
    NormalizedText replaceRanges(List<int[]> ranges, String content) {
        if (ranges.isEmpty()) {
            return this;
        }
        Builder builder = new Builder(text.length() + ranges.size() * content.length());
        int prev = 0;
        for (int[] range : ranges) {
            builder.appendFrom(this, prev, range[0]);
            if (range[1] > range[0]) {
                int firstEnd = range[0] + Character.charCount(text.codePointAt(range[0]));
                builder.append(content, originalStart(range[0]), originalEnd(firstEnd - 1));
            } else if (range[0] == 0) {
                builder.append(content, originalStart(), originalStart());
            } else {
                builder.append(content, originalStart(range[0] - 1), originalEnd(range[0] - 1));
            }
            prev = range[1];
        }
        builder.appendFrom(this, prev, text.length());
        return builder.build(originalStart());
    }

    /** Removes leading and/or trailing White_Space. */
    NormalizedText strip(boolean left, boolean right) {
        int from = 0;
        int to = text.length();
        if (left) {
            while (from < to && UnicodeProps.isWhiteSpace(text.codePointAt(from))) {
                from += Character.charCount(text.codePointAt(from));
            }
        }
        if (right) {
            while (to > from && UnicodeProps.isWhiteSpace(text.codePointBefore(to))) {
                to -= Character.charCount(text.codePointBefore(to));
            }
        }
        return slice(from, to);
    }

    /**
     * Unicode normalization with alignments. Text is cut into clusters (a code point and the marks
     * or conjoining jamo that follow it), each normalized on its own, so every output unit maps to
     * its cluster's span. Should cluster-wise normalization ever differ from normalizing the whole
     * text, the whole text is normalized as one cluster: the text stays exact, only offsets coarsen.
     */
    NormalizedText normalize(java.text.Normalizer.Form form) {
        if (java.text.Normalizer.isNormalized(text, form)) {
            return this;
        }
        String whole = java.text.Normalizer.normalize(text, form);
        Builder builder = new Builder(whole.length());
        int clusterStart = 0;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            boolean endsCluster = next >= text.length() || startsCluster(text.codePointAt(next));
            if (endsCluster) {
                String normalized = java.text.Normalizer.normalize(text.substring(clusterStart, next), form);
                builder.append(normalized, originalStart(clusterStart), originalEnd(next - 1));
                clusterStart = next;
            }
            i = next;
        }
        NormalizedText result = builder.build(originalStart());
        if (!result.text.equals(whole)) {
            Builder coarse = new Builder(whole.length());
            coarse.append(whole, originalStart(), text.isEmpty() ? base : originalEnd(text.length() - 1));
            return coarse.build(originalStart());
        }
        return result;
    }

    private static boolean startsCluster(int cp) {
        boolean conjoiningVowelOrTrailingJamo = (cp >= 0x1160 && cp <= 0x11FF) || (cp >= 0xD7B0 && cp <= 0xD7FF);
        return !UnicodeProps.isCombiningMark(cp) && !conjoiningVowelOrTrailingJamo;
    }

    /** Splits this piece at {@code matches} according to {@code behavior}; empty pieces are dropped. */
    List<NormalizedText> split(List<PatternMatch> matches, SplitBehavior behavior) {
        List<PatternMatch> pieces = behavior.apply(matches);
        List<NormalizedText> out = new ArrayList<>(pieces.size());
        for (PatternMatch piece : pieces) {
            if (!piece.isMatch() && piece.end() > piece.start()) {
                out.add(slice(piece.start(), piece.end()));
            }
        }
        return out;
    }

    /** Accumulates text together with per-unit original spans. */
    private static final class Builder {
        private final StringBuilder text;
        private int[] starts;
        private int[] ends;
        private int size;

        Builder(int capacity) {
            text = new StringBuilder(capacity);
            starts = new int[Math.max(capacity, 4)];
            ends = new int[starts.length];
        }

        void append(String s, int originalStart, int originalEnd) {
            ensure(s.length());
            text.append(s);
            for (int k = 0; k < s.length(); k++) {
                starts[size] = originalStart;
                ends[size] = originalEnd;
                size++;
            }
        }

        void appendFrom(NormalizedText source, int from, int to) {
            ensure(to - from);
            text.append(source.text, from, to);
            for (int k = from; k < to; k++) {
                starts[size] = source.originalStart(k);
                ends[size] = source.originalEnd(k);
                size++;
            }
        }

        private void ensure(int extra) {
            if (size + extra > starts.length) {
                int capacity = Math.max(starts.length * 2, size + extra);
                starts = Arrays.copyOf(starts, capacity);
                ends = Arrays.copyOf(ends, capacity);
            }
        }

        NormalizedText build(int emptyOrigin) {
            return new NormalizedText(text.toString(), Arrays.copyOf(starts, size), Arrays.copyOf(ends, size), emptyOrigin);
        }
    }
}
