package dev.jvlm.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.eval.BadItemException;
import dev.jvlm.eval.ItemScore;
import dev.jvlm.eval.Metric;
import dev.jvlm.eval.Metrics;
import dev.jvlm.eval.Summary;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;

/**
 * How a benchmark scores an item (a JSON object shaped like a {@code jvlm score} line) and combines
 * item scores. Nearly always one metric of {@link Metrics}; the exceptions are composed here.
 *
 * @param name      what the summary calls the metric
 * @param score     scores one item; throws {@link BadItemException} for an item the metric rejects
 * @param summarize combines item scores (mean, points total or pooled F1, as the metric reports)
 */
record Scorer(String name, Function<JsonNode, ItemScore> score, Function<List<ItemScore>, Summary> summarize) {

    static Scorer metric(String name) {
        Metric metric = Metrics.find(name).orElseThrow(() -> new IllegalStateException("no metric named " + name));
        return new Scorer(metric.name(), metric::score, metric::summarize);
    }

    /**
     * lmms-eval's {@code exact_match} without its ignore options, on the response as lmms-eval hands
     * it over (stripped): 1 when it equals one of the references.
     */
    static Scorer exactMatch() {
        return new Scorer("exact_match", item -> {
            String prediction = Metrics.pythonStrip(item.get("prediction").asText());
            JsonNode references = item.get("references");
            boolean hit = false;
            for (JsonNode reference : references) {
                hit |= reference.asText().equals(prediction);
            }
            return new ItemScore(hit ? 1.0 : 0.0, Optional.empty(), Set.of(), Optional.empty());
        }, scores -> {
            double total = 0;
            for (ItemScore score : scores) {
                total += score.value();
            }
            OptionalDouble mean = scores.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(total / scores.size());
            return new Summary("exact_match", scores.size(), mean, OptionalDouble.empty(), OptionalDouble.empty(), Map.of());
        });
    }

    /**
     * MMMU mixes multiple-choice and open questions, each with its own parser (lmms-eval
     * {@code mmmu_process_results}); an item with {@code options} is multiple-choice. Both metrics
     * are plain means, so either one's summary combines the mixed scores.
     */
    static Scorer mmmu() {
        Metric multipleChoice = Metrics.find("mmmu_mc").orElseThrow();
        Metric open = Metrics.find("mmmu_open").orElseThrow();
        return new Scorer("mmmu_mc+mmmu_open",
                item -> (item.has("options") ? multipleChoice : open).score(item), multipleChoice::summarize);
    }
}
