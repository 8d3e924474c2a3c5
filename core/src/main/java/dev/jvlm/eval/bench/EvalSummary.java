package dev.jvlm.eval.bench;

import dev.jvlm.eval.Summary;
import java.util.List;
import java.util.SequencedMap;
import java.util.SortedMap;

/**
 * What a run measured, as written to {@code summary.json} and {@code report.md}.
 *
 * @param overall      the benchmark's metric over every scored item (for MMBench, every question group)
 * @param alsoReported further metrics over the same items (Donut's F1 for CORD)
 * @param categories   per category dimension (e.g. {@code question_type}), the metric per category value
 * @param skipped      items not scored, in file order, each with its reason
 * @param predicted    items with a prediction (scored or not)
 * @param resumed      of those, predictions taken from an earlier run's predictions.jsonl
 */
public record EvalSummary(String benchmark, String model, String data, Summary overall, List<Summary> alsoReported,
                          SequencedMap<String, SortedMap<String, Summary>> categories, List<Skipped> skipped,
                          int predicted, int resumed) {

    /** An item left out of the score. */
    public record Skipped(int number, String where, String reason) {
    }

    public EvalSummary {
        alsoReported = List.copyOf(alsoReported);
        skipped = List.copyOf(skipped);
    }
}
