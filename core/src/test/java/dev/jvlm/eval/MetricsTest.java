package dev.jvlm.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {

    @Test
    void namesAndAliasesResolveIgnoringCaseAndDashes() {
        assertEquals("relaxed_accuracy", Metrics.find("ChartQA").orElseThrow().name());
        assertEquals("mcq_letter_vlmevalkit", Metrics.find("mcq-vlmevalkit").orElseThrow().name());
        assertEquals("coco_bleu4", Metrics.find("bleu4").orElseThrow().name());
        assertEquals("anls_vlmevalkit_raw", Metrics.find(" anls_vlmevalkit ").orElseThrow().name());
        assertTrue(Metrics.find("bleurt").isEmpty());
    }

    @Test
    void everyMetricHasAUniqueNameAndAReference() {
        Set<String> names = new HashSet<>();
        for (Metric metric : Metrics.all()) {
            assertTrue(names.add(metric.name()), metric.name());
            assertFalse(metric.reference().isBlank(), metric.name());
            assertEquals(metric, Metrics.find(metric.name()).orElseThrow());
            metric.aliases().forEach(alias -> assertEquals(metric, Metrics.find(alias).orElseThrow(), alias));
        }
    }

    private static BadItemException rejected(String metric, Map<String, ?> item) {
        Executable scoring = () -> Items.score(metric, item);
        return assertThrows(BadItemException.class, scoring);
    }

    @Test
    void missingAndMistypedFieldsNameTheField() {
        assertEquals("references", rejected("anls", Map.of("prediction", "x")).field().orElseThrow());
        assertEquals("prediction", rejected("anls", Map.of("references", List.of("x"))).field().orElseThrow());
        assertEquals("references[1]",
                rejected("vqa_accuracy", Map.of("prediction", "x", "references", List.of("a", 2))).field().orElseThrow());
        assertEquals("references", rejected("anls", Map.of("prediction", "x", "references", List.of())).field().orElseThrow());
        assertEquals("choices", rejected("mcq_letter_vlmevalkit",
                Map.of("prediction", "B", "references", List.of("B"), "choices", Map.of("1", "cat"))).field().orElseThrow());
        assertEquals("dataset", rejected("ocrbench_hit", Map.of("prediction", "x", "references", List.of("x")))
                .field().orElseThrow());
        assertEquals("precision", rejected("mathvista_normalized", Map.of("prediction", "1", "references", List.of("1"),
                "question_type", "free_form", "answer_type", "float", "precision", 1.5)).field().orElseThrow());
    }

    @Test
    void singleAnswerMetricsRefuseSeveralReferences() {
        BadItemException e = rejected("realworldqa", Map.of("prediction", "A", "references", List.of("A", "B")));
        assertEquals("references", e.field().orElseThrow());
        assertTrue(e.getMessage().contains("exactly one"), e.getMessage());
    }

    @Test
    void groupLengthsMustAgree() {
        BadItemException e = rejected("mmbench_circular", Map.of("prediction", List.of("A", "B"),
                "references", List.of("A"), "choices_per_rotation", List.of(Map.of("A", "x"), Map.of("A", "y"))));
        assertTrue(e.field().isEmpty());
        assertTrue(e.getMessage().contains("same length"), e.getMessage());
        BadItemException corpus = rejected("cord_f1", Map.of("prediction", List.of(Map.of("a", "x")),
                "references", List.of(Map.of("a", "x"), Map.of("a", "y"))));
        assertEquals("references", corpus.field().orElseThrow());
    }

    @Test
    void multipleChoiceMathVistaNeedsChoices() {
        assertEquals("choices", rejected("mathvista_normalized", Map.of("prediction", "A", "references", List.of("x"),
                "question_type", "multi_choice", "answer_type", "text")).field().orElseThrow());
    }

    @Test
    void anItemMustBeAnObject() {
        BadItemException e = assertThrows(BadItemException.class,
                () -> Metrics.find("anls").orElseThrow().score(Items.parse("[1]")));
        assertTrue(e.field().isEmpty());
    }

    @Test
    void summaryCountsEveryItemAndCaveat() {
        Metric metric = Metrics.find("mcq_letter_vlmevalkit").orElseThrow();
        Map<String, String> choices = Map.of("A", "cat", "B", "dog");
        List<ItemScore> scores = List.of(
                metric.score(Items.json(Map.of("prediction", "B", "references", List.of("B"), "choices", choices))),
                metric.score(Items.json(Map.of("prediction", "A B", "references", List.of("B"), "choices", choices))),
                metric.score(Items.json(Map.of("prediction", "A", "references", List.of("B"), "choices", choices))));
        Summary summary = metric.summarize(scores);
        assertEquals(3, summary.n());
        assertEquals(1.0 / 3, summary.mean().orElseThrow(), 1e-15);
        assertEquals(Map.of(Caveat.LLM_JUDGE_FALLBACK, 1), summary.caveats());
        assertEquals(OptionalDouble.empty(), summary.sum());
        assertEquals(OptionalDouble.empty(), summary.microF1());
    }

    @Test
    void summaryOfNothingHasNoMean() {
        Summary summary = Metrics.find("anls").orElseThrow().summarize(List.of());
        assertEquals(0, summary.n());
        assertEquals(OptionalDouble.empty(), summary.mean());
    }

    @Test
    void ocrBenchSummaryReportsPoints() {
        Metric metric = Metrics.find("ocrbench_hit").orElseThrow();
        List<ItemScore> scores = List.of(
                metric.score(Items.json(Map.of("prediction", "stop", "references", List.of("stop"), "dataset", "x"))),
                metric.score(Items.json(Map.of("prediction", "go", "references", List.of("stop"), "dataset", "x"))));
        assertEquals(1.0, metric.summarize(scores).sum().orElseThrow());
    }
}
