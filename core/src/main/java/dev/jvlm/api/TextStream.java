package dev.jvlm.api;

import dev.jvlm.text.Tokenizer;
import java.util.List;

/**
 * Turns generated token ids into text pieces as they arrive. Pieces never end inside a multi-byte
 * character (a trailing U+FFFD waits for the next token), and text that could be the start of a stop
 * string is held back until it is known not to be one, so a stop string is never shown.
 */
public final class TextStream {
    private final Tokenizer tokenizer;
    private final List<String> stopStrings;
    private final int holdBack;
    private int[] ids = new int[16];
    private int count;
    private int emitted;
    private String text = "";
    private boolean stopped;

    public TextStream(Tokenizer tokenizer, List<String> stopStrings) {
        this.tokenizer = tokenizer;
        this.stopStrings = List.copyOf(stopStrings);
        this.holdBack = stopStrings.stream().mapToInt(String::length).max().orElse(1) - 1;
    }

    /** Adds a token; returns the text that is now safe to show (possibly empty). */
    public String push(int id) {
        if (stopped) {
            return "";
        }
        if (count == ids.length) {
            ids = java.util.Arrays.copyOf(ids, count * 2);
        }
        ids[count++] = id;
        text = tokenizer.decode(java.util.Arrays.copyOf(ids, count), true);
        int stopAt = firstStop();
        if (stopAt >= 0) {
            stopped = true;
            return take(stopAt);
        }
        int safe = text.length() - holdBack;
        if (text.endsWith("\uFFFD")) {
            safe = Math.min(safe, text.length() - 1);
        }
        return take(safe);
    }

    /** The rest of the text once generation has ended (cut before a stop string). */
    public String finish() {
        int stopAt = firstStop();
        return take(stopAt >= 0 ? stopAt : text.length());
    }

    /** Everything shown so far plus what {@link #finish} would show. */
    public String fullText() {
        int stopAt = firstStop();
        return stopAt >= 0 ? text.substring(0, stopAt) : text;
    }

    /** True once a stop string appeared in the text. */
    public boolean stopped() {
        return stopped || firstStop() >= 0;
    }

    private int firstStop() {
        int best = -1;
        for (String s : stopStrings) {
            int i = s.isEmpty() ? -1 : text.indexOf(s);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    private String take(int upTo) {
        if (upTo <= emitted) {
            return "";
        }
        String piece = text.substring(emitted, upTo);
        emitted = upTo;
        return piece;
    }
}
