package dev.jvlm.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Expected values: lmms-eval's copies of the MMMU parse/eval functions run on the same responses. */
class MmmuTest {

    private static final List<String> OPTIONS = List.of("cat", "dog", "bird", "fish");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "The answer is B.|B", "I think it is a dog|B", "(A) or (C)|C", "B. dog|B",
            "A cat and a dog are shown here|A"})
    void multipleChoiceParsing(String response, String expected) {
        assertEquals(expected, Items.extracted("mmmu_mc",
                Map.of("prediction", response, "references", List.of(expected), "options", OPTIONS)));
    }

    @Test
    void unparsableResponseScoresTheExpectedValueOfTheRandomPick() {
        // "C)" gives no candidate in any format: lmms-eval draws random.choice(A..D).
        ItemScore score = Items.score("mmmu_mc", Map.of("prediction", "C)", "references", List.of("C"), "options", OPTIONS));
        assertEquals(0.25, score.value());
        assertEquals(Set.of(Caveat.RANDOM_CHOICE), score.caveats());
        assertNull(Items.extracted("mmmu_mc", Map.of("prediction", "C)", "references", List.of("C"), "options", OPTIONS)));
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "The answer is 1,234.5|1234.5|1.0",
            "x = 5|5.0|1.0",                       // the last sentence may be an equation
            "The color is red.|Red|1.0",
            "a|A|1.0",                             // single characters are padded: ' a' in ' a'
            "option a is right|A|0.0",
            "nan|nan|0.0",                         // nan != nan
            "so the result is 3.14159|3.14|1.0",
            "It equals 2e3 units|2000|1.0",
            "-7|-7.0|1.0",
            "Thus it is B. Because|b|1.0",         // ' b' occurs in 'b. because'
            "The value could be 12 or 13|13|1.0"})
    void openAnswers(String response, String gold, double expected) {
        assertEquals(expected, Items.value("mmmu_open", Map.of("prediction", response, "references", List.of(gold))));
    }

    @Test
    void onlyKeySentencesCount() {
        // "42" has no answer indicator; only "41" from the second line is a candidate.
        assertEquals(0.0, Items.value("mmmu_open",
                Map.of("prediction", "42\nTherefore the answer is 41", "references", List.of("42"))));
    }

    @Test
    void openAnswerExtractsNormalizedCandidates() {
        // Key response "1,234.5", plus the numbers found in it: "1,234" and "234.5".
        assertEquals(List.of(new Mmmu.Number(1234.5), new Mmmu.Number(1234.0), new Mmmu.Number(234.5)),
                Mmmu.parseOpen("The answer is 1,234.5"));
    }

    @Test
    void numbersAreFoundInAllThreeForms() {
        // The plain-number pattern also picks the exponent digit out of "-2e5".
        assertEquals(List.of("1,234", "-2e5", "234.5", "5", "7"), Mmmu.extractNumbers("1,234.5 and -2e5 and 7"));
    }
}
