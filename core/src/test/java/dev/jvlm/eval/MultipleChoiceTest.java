package dev.jvlm.eval;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * VLMEvalKit can_infer, lmms-eval extract_mcq_answer, AI2D, RealWorldQA and MMBench circular; expected
 * letters are what the toolkits' functions return for the same input.
 */
class MultipleChoiceTest {

    private static final Map<String, String> ANIMALS = Map.of("A", "cat", "B", "dog", "C", "bird", "D", "fish");

    private static Map<String, Object> vlmItem(String prediction, String truth) {
        return Map.of("prediction", prediction, "references", List.of(truth), "choices", ANIMALS);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
            "Sorry, I can't help with images of people yet.|Z",
            "A is the cat here|A",          // lone 'A' too early, but exactly one option text ("cat") occurs
            "(B) dog|B",
            "Answer is **D**|D",
            "The correct answer is c|C",    // no capital letter token; the case-insensitive 'answer is' rule
            "Failed to obtain answer via API|none",
            "Z|Z",
            "The answer is bird|B",         // 'answer is b' matches the case-insensitive rule on 'bird'
            "D. fish|D",
            "it is a Dog|B",
            "A B|none",
            "C|C"})
    void vlmEvalKitInference(String prediction, String expected) {
        assertEquals(expected, Items.extracted("mcq_letter_vlmevalkit", vlmItem(prediction, "B")));
    }

    @Test
    void vlmEvalKitRefusalIsAnAnswerNotAJudgeCase() {
        ItemScore refusal = Items.score("mcq_letter_vlmevalkit", vlmItem("Cannot determine the answer", "B"));
        assertEquals(0.0, refusal.value());
        assertEquals(Set.of(), refusal.caveats());
        ItemScore unknown = Items.score("mcq_letter_vlmevalkit", vlmItem("A B", "B"));
        assertEquals(Set.of(Caveat.LLM_JUDGE_FALLBACK), unknown.caveats());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
            "(C)|C", "Answer: B|B", "A. cat|A", "''|none",
            "The answer is (D) because C is wrong|C",   // both are 'phrase' candidates; the later one wins
            "b|none", "'  D  '|D", "E|none", "The best option is A, not B.|B", "A) cat|A", "Option B: dog|B",
            "答案是C|C", "BAD|D"})
    void lmmsExtractionWithFourLetters(String prediction, String expected) {
        Map<String, Object> item = Map.of("prediction", prediction, "references", List.of("C"),
                "choices", List.of("A", "B", "C", "D"));
        assertEquals(expected, Items.extracted("mcq_letter_lmms_extract", item));
    }

    @Test
    void lmmsExtractionDefaultsToEightLetters() {
        Map<String, Object> item = Map.of("prediction", "E", "references", List.of("E"));
        assertEquals(1.0, Items.value("mcq_letter_lmms_extract", item));
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "' C. bird'|C|1.0", "c|C|1.0", "The answer is C|C|0.0", "C.|C|1.0", "'\"C\"'|C|1.0", "C bird|C|0.0"})
    void ai2dExactMatch(String prediction, String truth, double expected) {
        assertEquals(expected, Items.value("ai2d", Map.of("prediction", prediction, "references", List.of(truth))));
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "(C) The car|C|1.0", "Downhill.|downhill|1.0", "B|b|1.0", "The answer is A|A|1.0", "3|'3 '|1.0",
            "Three|three|1.0", "yes..|Yes|1.0", "''|A|0.0", "Three|3|0.0"})
    void realWorldQa(String prediction, String truth, double expected) {
        assertEquals(expected,
                Items.value("realworldqa", Map.of("prediction", prediction, "references", List.of(truth))));
    }

    private static final List<Map<String, String>> TWO_ROTATIONS =
            List.of(Map.of("A", "cat", "B", "dog"), Map.of("A", "dog", "B", "cat"));

    private static ItemScore circular(List<String> predictions) {
        return Items.score("mmbench_circular", Map.of("prediction", predictions, "references", List.of("B", "A"),
                "choices_per_rotation", TWO_ROTATIONS));
    }

    @Test
    void circularNeedsEveryRotationRight() {
        assertEquals(1.0, circular(List.of("B", "A")).value());
        assertEquals(1.0, circular(List.of("dog", "dog")).value());
        ItemScore wrong = circular(List.of("A", "mouse"));
        assertEquals(0.0, wrong.value());
        assertEquals(Set.of(), wrong.caveats(), "a wrong rotation settles it without a judge");
        assertEquals(Items.parse("[\"A\", null]"), wrong.extracted().orElseThrow());
    }

    @Test
    void circularWithAnUninferableRotationWouldGoToTheJudge() {
        ItemScore score = circular(List.of("B", "mouse"));
        assertEquals(0.0, score.value());
        assertEquals(Set.of(Caveat.LLM_JUDGE_FALLBACK), score.caveats());
    }

    @Test
    void mmmuOpenUnderVlmEvalKitIsAChoiceBetweenGoldAndOtherAnswers() {
        assertEquals(1.0, Items.value("mmmu_open_vlmevalkit", Map.of("prediction", "42", "references", List.of("42"))));
        assertEquals(1.0, Items.value("mmmu_open_vlmevalkit", Map.of("prediction", "A", "references", List.of("42"))));
        assertEquals(0.0, Items.value("mmmu_open_vlmevalkit",
                Map.of("prediction", "Other Answers", "references", List.of("42"))));
        ItemScore unknown = Items.score("mmmu_open_vlmevalkit",
                Map.of("prediction", "The answer is 4", "references", List.of("42")));
        assertEquals(0.0, unknown.value());
        assertEquals(Set.of(Caveat.LLM_JUDGE_FALLBACK), unknown.caveats());
    }

    @Test
    void extractedNothingIsJsonNull() {
        JsonNode extracted = Items.score("mcq_letter_vlmevalkit", vlmItem("A B", "B")).extracted().orElseThrow();
        assertTrue(extracted.isNull());
    }
}
