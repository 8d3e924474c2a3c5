package dev.jvlm.eval;

/**
 * Field matches behind a Donut F1 score. Donut's F1 is micro-averaged over a whole corpus, so these
 * counts, not the per-item F1, are what {@link Metric#summarize} pools across items.
 *
 * @param truePositives predicted (key path, value) fields found in the reference
 * @param falseMatches  predicted fields not in the reference plus reference fields not predicted
 */
public record FieldCounts(long truePositives, long falseMatches) {

    /** Donut's {@code tp / (tp + (fp + fn) / 2)}; undefined (NaN) when both documents have no fields. */
    public double f1() {
        double denominator = truePositives + falseMatches / 2.0;
        return denominator == 0 ? Double.NaN : truePositives / denominator;
    }

    FieldCounts plus(FieldCounts other) {
        return new FieldCounts(truePositives + other.truePositives, falseMatches + other.falseMatches);
    }
}
