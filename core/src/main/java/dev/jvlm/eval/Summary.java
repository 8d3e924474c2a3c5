package dev.jvlm.eval;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * A metric over a list of items.
 *
 * @param metric  the metric's canonical name
 * @param n       number of items scored (none are ever skipped)
 * @param mean    mean item score, as the toolkits aggregate per-question scores; empty when n is 0
 * @param sum     total points, for metrics reported as a points total (OCRBench: out of 1000)
 * @param microF1 Donut's corpus F1 with field counts pooled over all items; empty when not applicable
 *                or when no item has any field
 * @param caveats how many items carry each {@link Caveat}; caveats that no item has are absent
 */
public record Summary(String metric, int n, OptionalDouble mean, OptionalDouble sum, OptionalDouble microF1,
                      Map<Caveat, Integer> caveats) {

    public Summary {
        caveats = Map.copyOf(caveats);
    }
}
