package dev.jvlm.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * BLEU and CIDEr-D expectations come from pycocoevalcap's BleuScorer and CiderScorer run on the same
 * captions; the captions are lower-case words only, so PTB tokenization leaves them unchanged.
 */
class CocoCaptionTest {

    private static final Map<String, String> HYPOTHESES = Map.of(
            "1", "a man riding a horse on a beach",
            "2", "two dogs play in the snow",
            "3", "a plate of food");
    private static final Map<String, List<String>> REFERENCES = Map.of(
            "1", List.of("a man rides a horse on the beach", "a person riding a horse along the sand",
                    "man on horse at the beach"),
            "2", List.of("two dogs playing in snow", "a pair of dogs running through the snow"),
            "3", List.of("a plate with food on it", "food on a white plate", "a dish of food on a table"));

    private static double corpus(String metric, Map<String, String> hypotheses, Map<String, List<String>> references) {
        return Items.value(metric, Map.of("prediction", hypotheses, "references", references));
    }

    @Test
    void bleuOnThreeImagesWithSeveralReferences() {
        assertEquals(0.8888888887901234, corpus("coco_bleu1", HYPOTHESES, REFERENCES), 1e-12);
        assertEquals(0.6885303725787678, corpus("coco_bleu2", HYPOTHESES, REFERENCES), 1e-12);
        assertEquals(0.4291063931048168, corpus("coco_bleu3", HYPOTHESES, REFERENCES), 1e-12);
        assertEquals(5.44331053878484e-05, corpus("coco_bleu4", HYPOTHESES, REFERENCES), 1e-15);
    }

    @Test
    void ciderOnThreeImages() {
        assertEquals(2.078908937841729, corpus("coco_cider", HYPOTHESES, REFERENCES), 1e-12);
    }

    @Test
    void closestReferenceLengthTiesGoToTheShorter() {
        // Hypothesis of 4 words, references of 3 and 5: effective length 3, so no brevity penalty there.
        Map<String, String> hypotheses = Map.of("1", "a b c d", "2", "e f");
        Map<String, List<String>> references = Map.of("1", List.of("a b c", "a b c d e"), "2", List.of("e f g h"));
        assertEquals(0.8464817246084536, corpus("bleu1", hypotheses, references), 1e-12);
        assertEquals(0.8464817243439284, corpus("bleu4", hypotheses, references), 1e-12);
        assertEquals(4.927590452136053, corpus("cider", hypotheses, references), 1e-12);
    }

    @Test
    void hypothesesLongerThanReferencesAreNotPenalized() {
        Map<String, String> hypotheses = Map.of("1", "the cat sat on the mat today", "2", "hello there");
        Map<String, List<String>> references = Map.of("1", List.of("the cat sat on the mat"),
                "2", List.of("hello there friend"));
        assertEquals(0.8888888886913584, corpus("coco_bleu1", hypotheses, references), 1e-12);
        assertEquals(0.8222672335649643, corpus("coco_bleu4", hypotheses, references), 1e-12);
        assertEquals(6.3360551875483875, corpus("coco_cider", hypotheses, references), 1e-12);
    }

    @Test
    void twelveImagesExerciseNumpysPairwiseMean() throws IOException {
        JsonNode item;
        try (InputStream in = getClass().getResourceAsStream("/eval/coco_twelve_images.json")) {
            item = new ObjectMapper().readTree(in);
        }
        assertEquals(0.6458670205720363, Metrics.find("coco_cider").orElseThrow().score(item).value(), 1e-12);
        assertEquals(0.4925373134254845, Metrics.find("coco_bleu1").orElseThrow().score(item).value(), 1e-12);
        assertEquals(2.11880938654589e-09, Metrics.find("coco_bleu4").orElseThrow().score(item).value(), 1e-20);
    }

    @Test
    void captionsAreTokenizedBeforeScoring() {
        // "A Cat." tokenizes to "a cat", so it is a perfect match of "a cat" (two images: IDF is not zero).
        Map<String, String> hypotheses = Map.of("1", "A Cat.", "2", "Dogs, running!");
        Map<String, List<String>> references = Map.of("1", List.of("a cat"), "2", List.of("dogs running"));
        assertEquals(corpus("coco_cider", Map.of("1", "a cat", "2", "dogs running"), references),
                corpus("coco_cider", hypotheses, references), 1e-12);
    }

    /** PTB conventions as Stanford's tokenizer applies them, after pycocoevalcap drops punctuation tokens. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "A man's hat.|a man 's hat",
            "Don't (really) go!|do n't -lrb- really -rrb- go",
            "red,blue|red blue",
            "1,000 dogs|1,000 dogs",
            "U.S. flag|u.s. flag",
            "It's 3.5 m.|it 's 3.5 m",
            "'\"Quoted\" text'|quoted text",
            "black-and-white photo|black-and-white photo",
            "A dog -- running|a dog running",
            "He cannot go|he can not go",
            "dogs' toys|dogs toys",
            "Wait... what?|wait what",
            "Mr. Smith|mr. smith",
            "[a] {b}|-lsb- a -rsb- -lcb- b -rcb-",
            "50% off at 12:30|50 % off at 12:30",
            "$5 bill|$ 5 bill"})
    void ptbTokenization(String caption, String expected) {
        assertEquals(expected, PtbTokenizer.tokenize(caption));
    }

    @Test
    void mismatchedImageIdsAreRejected() {
        BadItemException e = org.junit.jupiter.api.Assertions.assertThrows(BadItemException.class,
                () -> corpus("coco_cider", Map.of("1", "a"), Map.of("2", List.of("a"))));
        assertEquals("references", e.field().orElseThrow());
    }
}
