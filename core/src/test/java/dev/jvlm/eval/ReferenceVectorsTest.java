package dev.jvlm.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every expectation of the shared reference vectors (a copy lives in test resources). */
class ReferenceVectorsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static List<JsonNode> vectors() throws IOException {
        try (InputStream in = ReferenceVectorsTest.class.getResourceAsStream("/eval/vectors.json")) {
            List<JsonNode> vectors = new ArrayList<>();
            MAPPER.readTree(in).get("vectors").forEach(vectors::add);
            return vectors;
        }
    }

    static Stream<Arguments> allVectors() throws IOException {
        return vectors().stream().map(v -> Arguments.of(Named.of(v.get("id").asText(), v)));
    }

    /** The tolerances stated in vectors.json. */
    private static double tolerance(String id) {
        if (id.startsWith("bleu-04")) {
            return 1e-12;
        }
        return id.startsWith("bleu") ? 1e-8 : 1e-9;
    }

    @ParameterizedTest
    @MethodSource("allVectors")
    void expectedScore(JsonNode vector) {
        String id = vector.get("id").asText();
        Metric metric = Metrics.find(vector.get("metric").asText()).orElseThrow();
        ItemScore score = metric.score(vector);
        assertEquals(vector.get("expected_score").asDouble(), score.value(), tolerance(id), id);
    }

    private static final List<String> EXTRACTION_FIELDS = List.of("expected_extraction", "extractions", "expected_parse");

    static Stream<Arguments> vectorsWithExtraction() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        for (JsonNode vector : vectors()) {
            for (String field : EXTRACTION_FIELDS) {
                if (vector.has(field)) {
                    cases.add(Arguments.of(Named.of(vector.get("id").asText(), vector), vector.get(field)));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("vectorsWithExtraction")
    void expectedExtraction(JsonNode vector, JsonNode expected) {
        ItemScore score = Metrics.find(vector.get("metric").asText()).orElseThrow().score(vector);
        assertEquals(expected, score.extracted().orElseThrow());
    }

    /** The divergent results listed under other_impls, for the toolkits this package implements. */
    static Stream<Arguments> otherImplementations() throws IOException {
        Map<String, String> metricByImplementation = Map.of(
                "vqa_accuracy|vlmevalkit", "vqa_accuracy_vlmevalkit",
                "textvqa_accuracy|vlmevalkit", "vqa_accuracy_vlmevalkit",
                "relaxed_accuracy|vlmevalkit", "relaxed_accuracy_vlmevalkit",
                "anls_vlmevalkit_raw|lmms-eval", "anls");
        List<Arguments> cases = new ArrayList<>();
        for (JsonNode vector : vectors()) {
            if (!vector.has("other_impls")) {
                continue;
            }
            for (var entry : vector.get("other_impls").properties()) {
                String toolkit = entry.getKey().startsWith("vlmevalkit") ? "vlmevalkit"
                        : entry.getKey().startsWith("lmms-eval") ? "lmms-eval" : "other";
                String metric = metricByImplementation.get(vector.get("metric").asText() + "|" + toolkit);
                if (metric != null) {
                    cases.add(Arguments.of(Named.of(vector.get("id").asText() + " as " + metric, vector), metric,
                            entry.getValue().asDouble()));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("otherImplementations")
    void otherToolkitScore(JsonNode vector, String metric, double expected) {
        assertEquals(expected, Metrics.find(metric).orElseThrow().score(vector).value(), 1e-9);
    }

    /** The mcq-vk vectors also give the letter lmms-eval's extractor pulls from the same responses. */
    static Stream<Arguments> lmmsExtractionsOfVlmEvalKitVectors() throws IOException {
        return vectors().stream()
                .filter(v -> v.get("metric").asText().equals("mcq_letter_vlmevalkit"))
                .map(v -> Arguments.of(Named.of(v.get("id").asText(), v)));
    }

    @ParameterizedTest
    @MethodSource("lmmsExtractionsOfVlmEvalKitVectors")
    void lmmsExtractorOnVlmEvalKitVectors(JsonNode vector) {
        JsonNode expected = vector.get("other_impls").elements().next();
        ObjectNode item = vector.deepCopy();
        List<String> letters = new ArrayList<>();
        vector.get("choices").fieldNames().forEachRemaining(letters::add);
        item.set("choices", MAPPER.valueToTree(letters));
        JsonNode extracted = Metrics.find("mcq_letter_lmms_extract").orElseThrow().score(item).extracted().orElseThrow();
        assertEquals(expected, extracted);
    }

    @Test
    void everyVectorMetricIsKnownAndEveryVectorIsCovered() throws IOException {
        List<JsonNode> vectors = vectors();
        assertEquals(75, vectors.size());
        assertTrue(vectors.stream().allMatch(v -> Metrics.find(v.get("metric").asText()).isPresent()));
    }
}
