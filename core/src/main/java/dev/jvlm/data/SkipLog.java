package dev.jvlm.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts the samples that were skipped and keeps the first few reasons, so that a run over a large
 * dataset reports "skipped 37 samples" with examples instead of failing on the first bad record or
 * flooding the log. Thread-safe.
 */
public final class SkipLog {

    /** How many reasons are kept; the count goes on past it. */
    public static final int KEPT_REASONS = 5;

    private final List<String> reasons = new ArrayList<>();
    private int count;

    /** Records one skipped sample and why. */
    public synchronized void skip(String reason) {
        count++;
        if (reasons.size() < KEPT_REASONS) {
            reasons.add(reason);
        }
    }

    public synchronized int count() {
        return count;
    }

    /** The first {@link #KEPT_REASONS} reasons, in order. */
    public synchronized List<String> firstReasons() {
        return List.copyOf(reasons);
    }

    /** Adds another log's count and reasons to this one. */
    public void addAll(SkipLog other) {
        int n;
        List<String> r;
        synchronized (other) {
            n = other.count;
            r = List.copyOf(other.reasons);
        }
        synchronized (this) {
            count += n;
            for (String s : r) {
                if (reasons.size() < KEPT_REASONS) {
                    reasons.add(s);
                }
            }
        }
    }

    /** One line for a report: "skipped 3 samples, e.g.: reason; reason", or "no samples skipped". */
    public synchronized String summary() {
        if (count == 0) {
            return "no samples skipped";
        }
        return "skipped " + count + (count == 1 ? " sample" : " samples") + (count > reasons.size() ? ", first " + reasons.size() : "")
                + ": " + String.join("; ", reasons);
    }

    @Override
    public String toString() {
        return summary();
    }
}
