package dev.jvlm.eval;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ANLS, ChartQA relaxed accuracy, OCRBench; expected values from the toolkits' functions on the same input. */
class TextAnswerMetricsTest {

    private static double score(String metric, String prediction, List<String> references) {
        return Items.value(metric, Map.of("prediction", prediction, "references", references));
    }

    @Test
    void anlsStripsTheResponseOnlyInLmmsEval() {
        assertEquals(1.0, score("anls", "  Hello  ", List.of("hello")));
        // Distance on collapsed strings is 0 whatever the raw lengths.
        assertEquals(1.0, score("anls_vlmevalkit_raw", "abcd ", List.of("abcd")));
        assertEquals(1.0, score("anls", "The  quick\tfox", List.of("the quick fox")));
    }

    @Test
    void anlsLengthIsOfTheUpperCasedText() {
        // dist('straße', 'strasse') = 2; len('STRASSE') = 7 for both -> 1 - 2/7.
        assertEquals(0.7142857142857143, score("anls", "straße", List.of("strasse")));
    }

    @Test
    void anlsThresholdAndBestReference() {
        assertEquals(0.0, score("anls", "abc", List.of("xyz")));
        assertEquals(0.5, score("anls", "ab", List.of("abcd")));
        assertEquals(0.8333333333333334, score("anls", "abcdef", List.of("abcxyz", "abcdeg")));
        assertEquals(1.0, score("anls", "", List.of("")));
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "1_000|1000|1.0", "' 12 '|'12 '|1.0", "0.1199|12%%|1.0", "inf|inf|0.0", "Yes|yes|1.0", "0.0|-0|0.0",
            "١٢|12|1.0", "0x10|16|0.0", "1.05e2|100|1.0", "+5|5|1.0", "5.|5|1.0", "_1000|1000|0.0",
            "1__000|1000|0.0", "Infinity|1e400|0.0", "4.75|5|1.0", "94.99|100|0.0", "12 %|0.12|1.0", "-inf|-inf|0.0"})
    void relaxedAccuracyFollowsPythonFloat(String prediction, String target, double expected) {
        assertEquals(expected, score("relaxed_accuracy", prediction, List.of(target)));
    }

    @Test
    void relaxedAccuracyTakesAnyReference() {
        assertEquals(1.0, score("chartqa", "7", List.of("100", "7.2")));
    }

    private static double ocr(String metric, String prediction, List<String> references, String key, String value) {
        return Items.value(metric, Map.of("prediction", prediction, "references", references, key, value));
    }

    @Test
    void ocrBenchHandwrittenMathIgnoresSpacesButNotCase() {
        assertEquals(1.0, ocr("ocrbench_hit", "x ^ { 2 }", List.of("x^{2}"), "dataset", "HME100k"));
        assertEquals(0.0, ocr("ocrbench_hit", "X^2", List.of("x^2"), "dataset", "HME100k"));
        // No full-width folding on the HME100k path.
        assertEquals(0.0, ocr("ocrbench_hit", "ＳＴＯＰ", List.of("stop"), "dataset", "HME100k"));
    }

    @Test
    void ocrBenchFoldsIdeographicSpaceAndAcceptsAnyReference() {
        assertEquals(1.0, ocr("ocrbench_hit", "hello\u3000world", List.of("hello world"), "dataset", "IIIT5K"));
        assertEquals(1.0, ocr("ocrbench_hit", "abc", List.of("zzz", "b"), "dataset", "IIIT5K"));
    }

    @Test
    void ocrBenchVlmEvalKitDoesNotFoldAndKeysOnCategory() {
        String category = "Regular Text Recognition";
        assertEquals(0.0, ocr("ocrbench_hit_vlmevalkit", "ＳＴＯＰ", List.of("stop"), "category", category));
        assertEquals(1.0, ocr("ocrbench_hit_vlmevalkit", "The sign says STOP", List.of("stop"), "category", category));
        assertEquals(1.0, ocr("ocrbench_hit_vlmevalkit", "x ^ 2", List.of("x^2"), "category",
                OcrBench.HANDWRITTEN_MATH_CATEGORY));
    }
}
