package dev.jvlm.eval;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The score of one item: one benchmark question, or for corpus-level and grouped metrics (BLEU,
 * CIDEr, MMBench circular, Donut F1 over several documents) one whole corpus or group.
 *
 * @param value       the score as the reference toolkit computes it (OCRBench: points 0/1; CIDEr: x10 scale)
 * @param extracted   the answer the metric extracted from the prediction, for metrics that extract one;
 *                    a JSON null when extraction found nothing
 * @param caveats     where the toolkit would have done something this scorer cannot (see {@link Caveat})
 * @param fieldCounts Donut field matches, for metrics whose summary pools them
 */
public record ItemScore(double value, Optional<JsonNode> extracted, Set<Caveat> caveats,
                        Optional<FieldCounts> fieldCounts) {

    public ItemScore {
        caveats = Set.copyOf(caveats);
    }

    static ItemScore of(double value) {
        return new ItemScore(value, Optional.empty(), Set.of(), Optional.empty());
    }

    static ItemScore extracted(double value, JsonNode extracted) {
        return new ItemScore(value, Optional.of(extracted), Set.of(), Optional.empty());
    }

    ItemScore with(Caveat caveat) {
        EnumSet<Caveat> more = EnumSet.of(caveat);
        more.addAll(caveats);
        return new ItemScore(value, extracted, more, fieldCounts);
    }
}
