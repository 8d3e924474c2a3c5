package dev.jvlm.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * One question of a benchmark, ready to ask and to score.
 *
 * @param id         unique within the file; predictions are matched to items by it when a run resumes
 * @param number     the record's position in the file (1-based), for ordering reports
 * @param where      the record's place in the file, for messages
 * @param prompt     the user message text, built as the reference toolkit builds it
 * @param images     shown before the text, in order
 * @param answer     the reference answer(s) as the file gives them, for predictions.jsonl
 * @param scoring    the scorer's item without {@code prediction}: {@code references} and metric fields
 * @param categories the item's value in each of the benchmark's category dimensions that it has
 *                   (a builder sets those it derives; {@link Benchmark#item} adds the record's fields)
 * @param group      MMBench's circular group (the question all its rotations share), else empty
 */
record BenchmarkItem(String id, int number, String where, String prompt, List<ImageRef> images, JsonNode answer,
                     ObjectNode scoring, SequencedMap<String, String> categories, Optional<String> group) {

    /** The scorer's item for a prediction. */
    ObjectNode scoringItem(String prediction) {
        ObjectNode item = scoring.deepCopy();
        item.put("prediction", prediction);
        return item;
    }
}
