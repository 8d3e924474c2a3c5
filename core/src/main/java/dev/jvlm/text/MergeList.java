package dev.jvlm.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * BPE merges as read from tokenizer.json: for each merge, where its two tokens are in the file's
 * bytes, so that loading resolves them to ids without making a String per token. Tokens written
 * with JSON escapes (rare) are kept decoded instead.
 */
final class MergeList {

    private final byte[] bytes;
    /** leftStart, leftEnd, rightStart, rightEnd per merge; -1 where the tokens are in {@link #decoded}. */
    private int[] ranges = new int[4 * 1024];
    private final Map<Integer, String[]> decoded = new HashMap<>();
    private int size;

    MergeList(byte[] bytes) {
        this.bytes = bytes;
    }

    int size() {
        return size;
    }

    void add(int leftStart, int leftEnd, int rightStart, int rightEnd) {
        if (4 * size + 4 > ranges.length) {
            ranges = Arrays.copyOf(ranges, ranges.length * 2);
        }
        ranges[4 * size] = leftStart;
        ranges[4 * size + 1] = leftEnd;
        ranges[4 * size + 2] = rightStart;
        ranges[4 * size + 3] = rightEnd;
        size++;
    }

    void add(String left, String right) {
        decoded.put(size, new String[] {left, right});
        add(-1, -1, -1, -1);
    }

    int leftId(int index, VocabMap vocab) {
        int start = ranges[4 * index];
        return start >= 0 ? vocab.get(bytes, start, ranges[4 * index + 1]) : vocab.get(decoded.get(index)[0]);
    }

    int rightId(int index, VocabMap vocab) {
        int start = ranges[4 * index + 2];
        return start >= 0 ? vocab.get(bytes, start, ranges[4 * index + 3]) : vocab.get(decoded.get(index)[1]);
    }

    String left(int index) {
        return ranges[4 * index] >= 0 ? text(ranges[4 * index], ranges[4 * index + 1]) : decoded.get(index)[0];
    }

    String right(int index) {
        return ranges[4 * index + 2] >= 0 ? text(ranges[4 * index + 2], ranges[4 * index + 3]) : decoded.get(index)[1];
    }

    private String text(int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }
}
