package dev.jvlm.eval;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A benchmark metric scored exactly as a reference toolkit scores it. Obtain one by name from
 * {@link Metrics}, score each item with {@link #score}, then {@link #summarize} the item scores.
 * Instances are immutable and thread-safe.
 */
public final class Metric {

    /** Scores one item whose fields have been wrapped for checked access. */
    @FunctionalInterface
    interface ItemScorer {
        ItemScore score(Fields item);
    }

    /** How item scores combine beyond their mean. */
    sealed interface Aggregation permits MeanOnly, PointsTotal, PooledFieldCounts {
    }

    /** The benchmark score is the mean of item scores. */
    record MeanOnly() implements Aggregation {
    }

    /** The benchmark reports a points total (OCRBench) as well as the mean. */
    record PointsTotal() implements Aggregation {
    }

    /** Donut F1: true positives and false matches are pooled over all items before dividing. */
    record PooledFieldCounts() implements Aggregation {
    }

    private final String name;
    private final List<String> aliases;
    private final String reference;
    private final ItemScorer scorer;
    private final Aggregation aggregation;

    Metric(String name, List<String> aliases, String reference, Aggregation aggregation, ItemScorer scorer) {
        this.name = name;
        this.aliases = List.copyOf(aliases);
        this.reference = reference;
        this.aggregation = aggregation;
        this.scorer = scorer;
    }

    /** The canonical name, as used in {@code vectors.json} and on the command line. */
    public String name() {
        return name;
    }

    /** Other names accepted by {@link Metrics#find}. */
    public List<String> aliases() {
        return aliases;
    }

    /** The toolkit function this metric reproduces, e.g. "lmms-eval tasks/chartqa/utils.py relaxed_correctness". */
    public String reference() {
        return reference;
    }

    /**
     * Scores one item: a JSON object with {@code prediction}, {@code references} and the metric's own
     * fields (see docs/EVAL.md).
     *
     * @throws BadItemException when a field is missing or malformed, naming the field
     */
    public ItemScore score(JsonNode item) {
        return scorer.score(new Fields(item));
    }

    /** Combines the scores of all items of a run; nothing is dropped, so {@code n} is the list size. */
    public Summary summarize(List<ItemScore> scores) {
        int n = scores.size();
        // The toolkits average per-item scores with a plain left-to-right sum.
        double total = 0;
        Map<Caveat, Integer> caveats = new EnumMap<>(Caveat.class);
        for (ItemScore score : scores) {
            total += score.value();
            score.caveats().forEach(c -> caveats.merge(c, 1, Integer::sum));
        }
        OptionalDouble mean = n == 0 ? OptionalDouble.empty() : OptionalDouble.of(total / n);
        OptionalDouble sum = OptionalDouble.empty();
        OptionalDouble microF1 = OptionalDouble.empty();
        switch (aggregation) {
            case MeanOnly() -> {
            }
            case PointsTotal() -> sum = OptionalDouble.of(total);
            case PooledFieldCounts() -> {
                FieldCounts pooled = scores.stream()
                        .map(ItemScore::fieldCounts)
                        .flatMap(Optional::stream)
                        .reduce(new FieldCounts(0, 0), FieldCounts::plus);
                double f1 = pooled.f1();
                microF1 = Double.isNaN(f1) ? OptionalDouble.empty() : OptionalDouble.of(f1);
            }
        }
        return new Summary(name, n, mean, sum, microF1, caveats);
    }

    @Override
    public String toString() {
        return name;
    }
}
