package dev.jvlm.eval;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Expected values: Donut's token2json and JSONParseEvaluator (with zss) run on the same documents. */
class DonutTest {

    private static final String RECEIPT = """
            {"menu": [{"nm": "cake", "price": "2,000"}, {"nm": "tea", "price": "500"}],
             "total": {"total_price": "2,500"}}""";

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "<s_menu><s_nm>a</s_nm><sep/><s_nm>b</s_nm></s_menu>|{\"menu\": [{\"nm\": \"a\"}, {\"nm\": \"b\"}]}",
            "<s_nm>a<sep/>b</s_nm>|{\"nm\": [\"a\", \"b\"]}",
            "hello|{\"text_sequence\": \"hello\"}",
            "<s_nm>x</S_NM>|{\"nm\": \"x\"}",
            "<s_a>1</s_a><sep/><s_a>2</s_a>|[{\"a\": \"1\"}, {\"a\": \"2\"}]",
            "<s_a>1</s_a><s_a>2</s_a>|{\"a\": \"2\"}",
            "<s_menu><s_nm>cake</s_nm></s_menu><s_total><s_price>5</s_price></s_total>"
                    + "|{\"menu\": {\"nm\": \"cake\"}, \"total\": {\"price\": \"5\"}}",
            "<s_a></s_a>|{\"a\": \"\"}",
            "<s_a><s_b></s_b></s_a>|{\"a\": {\"b\": \"\"}}",
            "''|{\"text_sequence\": \"\"}"})
    void tokenToJson(String tokens, String expected) {
        assertEquals(Items.parse(expected), DonutTokens.parse(tokens));
    }

    @Test
    void contentDoesNotSpanNewlines() {
        // Python's '.' stops at '\n': the pair is skipped and nothing parses.
        assertEquals(Items.parse("{\"text_sequence\": \"\"}"), DonutTokens.parse("<s_a>x\ny</s_a>"));
    }

    @Test
    void invalidKeyRegexIsABadItem() {
        Map<String, Object> item = Map.of("prediction", "<s_a(>x</s_a(>", "references", List.of(Map.of("a", "x")));
        BadItemException e = assertThrows(BadItemException.class, () -> Items.score("cord_ted_acc_from_tokens", item));
        assertEquals("prediction", e.field().orElseThrow());
    }

    @Test
    void normalizationDropsFalsyValuesAndNonScalarListItems() {
        JsonNode document = Items.parse("""
                {"b": 0, "a": "x", "cc": [true, 1, 2.5, null, " "], "d": [], "e": {"f": ""}}""");
        assertEquals(List.of(new DonutJson.Field("a", "x"), new DonutJson.Field("cc", "1"),
                new DonutJson.Field("cc", "2.5")), DonutJson.flatten(DonutJson.normalize(document)));
        assertEquals(List.of(new DonutJson.Field("k", "")),
                DonutJson.flatten(DonutJson.normalize(Items.parse("{\"k\": \"  \"}"))));
        assertEquals(List.of(new DonutJson.Field("k.a", "1")),
                DonutJson.flatten(DonutJson.normalize(Items.parse("{\"k\": [{\"a\": 1}, {}, {\"b\": false}]}"))));
    }

    private static double ted(String prediction) {
        return DonutJson.treeAccuracy(Items.parse(prediction), Items.parse(RECEIPT));
    }

    private static double f1(String prediction) {
        return DonutJson.fieldCounts(Items.parse(prediction), Items.parse(RECEIPT)).f1();
    }

    @Test
    void treeAccuracyIsOrderSensitiveButF1IsNot() {
        String swapped = """
                {"menu": [{"nm": "tea", "price": "500"}, {"nm": "cake", "price": "2,000"}],
                 "total": {"total_price": "2,500"}}""";
        assertEquals(0.5333333333333333, ted(swapped), 1e-15);
        assertEquals(1.0, f1(swapped));
    }

    @Test
    void missingAndExtraFields() {
        String oneItem = "{\"menu\": [{\"nm\": \"cake\", \"price\": \"2,000\"}], \"total\": {\"total_price\": \"2,500\"}}";
        assertEquals(0.7, ted(oneItem), 1e-15);
        assertEquals(0.75, f1(oneItem));
        String extra = """
                {"menu": [{"nm": "cake", "price": "2,000"}, {"nm": "tea", "price": "500"}],
                 "total": {"total_price": "2,500"}, "extra": "x"}""";
        assertEquals(0.9333333333333333, ted(extra), 1e-15);
        assertEquals(0.9090909090909091, f1(extra), 1e-15);
        assertEquals(0.0, ted("{}"));
        assertEquals(0.0, f1("{}"));
    }

    @Test
    void regroupedListsScoreDifferentTreesButSameFields() {
        String columns = """
                {"menu": {"nm": ["cake", "tea"], "price": ["2,000", "500"]}, "total": {"total_price": "2,500"}}""";
        assertEquals(0.5666666666666667, ted(columns), 1e-15);
        assertEquals(1.0, f1(columns));
    }

    @Test
    void emptyReferenceScoresZeroAsNumpyAndPythonMaxDo() {
        assertEquals(0.0, DonutJson.treeAccuracy(Items.parse("{\"a\": \"x\"}"), Items.parse("{}")));
    }

    @Test
    void f1PoolsCountsAcrossACorpus() {
        // Doc 1: 1 TP, 1 FP; doc 2: 1 TP, 1 FN -> 2 / (2 + 2/2).
        Map<String, Object> item = Map.of(
                "prediction", List.of(Map.of("a", "x", "b", "y"), Map.of("a", "x")),
                "references", List.of(Map.of("a", "x"), Map.of("a", "x", "a2", "z")));
        ItemScore score = Items.score("cord_f1", item);
        assertEquals(0.6666666666666666, score.value());
        assertEquals(new FieldCounts(2, 2), score.fieldCounts().orElseThrow());
    }

    @Test
    void duplicateFieldsAreMatchedOnce() {
        assertEquals(0.6666666666666666, DonutJson.fieldCounts(Items.parse("{\"a\": [\"x\", \"x\"]}"),
                Items.parse("{\"a\": [\"x\"]}")).f1());
    }

    @Test
    void summaryPoolsFieldCountsOverItems() {
        Metric metric = Metrics.find("cord_f1").orElseThrow();
        ItemScore perfect = metric.score(Items.json(Map.of("prediction", Map.of("a", "x"),
                "references", List.of(Map.of("a", "x")))));
        ItemScore half = metric.score(Items.json(Map.of("prediction", Map.of("a", "y", "b", "z"),
                "references", List.of(Map.of("a", "x", "b", "z")))));
        Summary summary = metric.summarize(List.of(perfect, half));
        assertEquals(0.75, summary.mean().orElseThrow());
        // Pooled: 2 TP, 2 false matches -> 2 / (2 + 1).
        assertEquals(0.6666666666666666, summary.microF1().orElseThrow());
    }

    @Test
    void f1WithNoFieldsAnywhereIsRefused() {
        Map<String, Object> item = Map.of("prediction", Map.of(), "references", List.of(Map.of()));
        assertThrows(BadItemException.class, () -> Items.score("cord_f1", item));
    }

    @Test
    void tokenMetricsParseThenScore() {
        Map<String, Object> item = Map.of("prediction", "<s_nm>cake</s_nm><sep/><s_nm>tea</s_nm>",
                "references", List.of(Map.of("nm", "cake"), Map.of("nm", "tea")));
        assertEquals(1.0, Items.value("cord_f1_from_tokens", Map.of(
                "prediction", List.of("<s_nm>cake</s_nm>", "<s_nm>tea</s_nm>"),
                "references", List.of(Map.of("nm", "cake"), Map.of("nm", "tea")))));
        // A top-level <sep/> makes token2json return a list: that is a two-document corpus here.
        assertEquals(1.0, Items.value("cord_f1_from_tokens", item));
    }
}
