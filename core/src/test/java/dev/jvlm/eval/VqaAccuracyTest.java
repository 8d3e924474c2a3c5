package dev.jvlm.eval;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Expected values: lmms-eval vqav2/textvqa process_results and VLMEvalKit process_line run on the same input. */
class VqaAccuracyTest {

    private static List<String> times(int n, String answer) {
        return Collections.nCopies(n, answer);
    }

    private static List<String> answers(int hits, String hit, String miss) {
        List<String> all = new ArrayList<>(times(hits, hit));
        all.addAll(times(10 - hits, miss));
        return all;
    }

    private static double vqa(String metric, String prediction, List<String> references) {
        return Items.value(metric, Map.of("prediction", prediction, "references", references));
    }

    @Test
    void numberWordsAndArticles() {
        assertEquals(1.0, vqa("vqa_accuracy", "Two", times(10, "2")));
        assertEquals(1.0, vqa("vqa_accuracy", "an apple", times(10, "apple")));
        assertEquals(1.0, vqa("vqa_accuracy", "The Dog, Sitting", times(10, "dog sitting")));
        assertEquals(1.0, vqa("vqa_accuracy_vlmevalkit", "The Dog, Sitting", times(10, "dog sitting")));
    }

    @Test
    void twoMatchingAnnotatorsGivePointSix() {
        // 2 subsets keep one match (1/3), 8 keep both (2/3): (2/3 + 16/3) / 10.
        assertEquals(0.6, vqa("vqa_accuracy", "yes", answers(2, "yes", "no")), 1e-15);
        assertEquals(0.6, vqa("vqa_accuracy_vlmevalkit", "yes", answers(2, "yes", "no")), 1e-15);
    }

    @Test
    void fewerThanTenAnnotators() {
        // ['cat', 'dog', 'cat']: (1/3 + 2/3 + 1/3) / 3.
        assertEquals(0.4444444444444444, vqa("vqa_accuracy", "cat", List.of("cat", "dog", "cat")));
        assertEquals(0.4444444444444444, vqa("vqa_accuracy_vlmevalkit", "cat", List.of("cat", "dog", "cat")));
    }

    @Test
    void repeatedCommasBetweenDigitsDifferBetweenToolkits() {
        // lmms-eval's comma test is \d,+\d (so punctuation is deleted); VLMEvalKit's is \d,\d (so ',' becomes ' ').
        assertEquals(1.0, vqa("vqa_accuracy", "1,,000", times(10, "1000")));
        assertEquals(0.0, vqa("vqa_accuracy_vlmevalkit", "1,,000", times(10, "1000")));
    }

    @Test
    void atMostThirtyTwoPeriodsAreRemoved() {
        // re.UNICODE (32) is passed as the count argument of sub(): 'x' + 40 periods keeps 8 of them.
        assertEquals("x........", VqaAnswers.processPunctuation("x" + ".".repeat(40), VqaAnswers.Style.LMMS_EVAL));
        assertEquals(0.0, vqa("vqa_accuracy", "x" + ".".repeat(40), times(10, "x")));
        assertEquals(1.0, vqa("vqa_accuracy", "x" + ".".repeat(32), times(10, "x")));
    }

    @Test
    void punctuationWithoutAdjacentSpaceBecomesSpace() {
        assertEquals(1.0, vqa("vqa_accuracy", "yes!", times(10, "yes")));
        assertEquals(1.0, vqa("vqa_accuracy", "what?", times(10, "what")));
        assertEquals("dog cat", VqaAnswers.normalize("dog ; cat", VqaAnswers.Style.LMMS_EVAL));
    }

    @Test
    void textVqaTokenizesPossessives() {
        assertEquals(1.0, vqa("textvqa_accuracy", "It's red", times(10, "it's red")));
        assertEquals("it 's red", VqaAnswers.normalizeTextVqa("It's red"));
        assertEquals(1.0, vqa("textvqa_accuracy", "what?", times(10, "what")));
    }

    @Test
    void contractionsAndNumbersInNormalizer() {
        assertEquals("can't 3", VqaAnswers.processDigitArticle("CANT Three"));
        // The table's key "Im" is capitalised, but words are lower-cased before the lookup: no match.
        assertEquals("im", VqaAnswers.processDigitArticle("Im"));
    }
}
