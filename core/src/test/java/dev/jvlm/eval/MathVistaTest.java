package dev.jvlm.eval;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Expected values: lmms-eval MathVistaEvaluator.extract_answer / normalize_extracted_answer / safe_equal. */
class MathVistaTest {

    private static final List<String> FRACTIONS = List.of("3/11", "8/11", "6/11", "3/5");

    private static Map<String, Object> item(String prediction, String answer, String questionType, String answerType,
                                            int precision) {
        Map<String, Object> item = new HashMap<>(Map.of("prediction", prediction, "references", List.of(answer),
                "question_type", questionType, "answer_type", answerType, "precision", precision));
        if (questionType.equals("multi_choice")) {
            item.put("choices", FRACTIONS);
        }
        return item;
    }

    private static Map<String, Object> freeForm(String prediction, String answer, String answerType, int precision) {
        return item(prediction, answer, "free_form", answerType, precision);
    }

    @Test
    void multipleChoiceLettersAndNearestChoice() {
        assertEquals("6/11", Items.extracted("mathvista_normalized", item("(c) 6/11", "6/11", "multi_choice", "text", 0)));
        assertEquals("3/5", Items.extracted("mathvista_normalized", item("D", "3/5", "multi_choice", "text", 0)));
    }

    @Test
    void numbersAreNormalizedAsPythonPrintsThem() {
        assertEquals("3", Items.extracted("mathvista_normalized", freeForm("3.7", "3", "integer", 0)));
        assertEquals("2.2", Items.extracted("mathvista_normalized", freeForm("2.25", "2.2", "float", 1)));
        assertEquals("2.67", Items.extracted("mathvista_normalized", freeForm("2.675", "2.67", "float", 2)));
        assertEquals("-0.0", Items.extracted("mathvista_normalized", freeForm("-0.4", "-0.0", "float", 0)));
        assertEquals("1e+20", Items.extracted("mathvista_normalized", freeForm("1e20", "1e+20", "float", 1)));
        assertEquals("1e-05", Items.extracted("mathvista_normalized", freeForm("0.00001", "1e-05", "float", 6)));
        assertEquals("123456789012345680",
                Items.extracted("mathvista_normalized", freeForm("123456789012345678", "1", "integer", 0)));
    }

    @Test
    void unparsableNumberBecomesNoneAndComparesAsTheStringNone() {
        assertNull(Items.extracted("mathvista_normalized", freeForm("abc", "1.5", "float", 2)));
        assertEquals(0.0, Items.value("mathvista_normalized", freeForm("abc", "1.5", "float", 2)));
        // int(float('inf')) raises OverflowError -> None -> str(None) == 'None'.
        assertEquals(1.0, Items.value("mathvista_normalized", freeForm("inf", "None", "integer", 0)));
    }

    @Test
    void textAndListAnswersCompareStripped() {
        assertEquals(1.0, Items.value("mathvista_normalized", freeForm("[1, 2]", "[1, 2]", "list", 0)));
        assertEquals(1.0, Items.value("mathvista_normalized", freeForm("  7  ", "7", "text", 0)));
    }

    @Test
    void ruleBasedExtractionWhereTheToolkitSkipsTheJudge() {
        assertEquals("12", Items.extracted("mathvista", freeForm("12", "12", "integer", 0)));
        assertEquals("1.5", Items.extracted("mathvista", freeForm("1.50", "1.5", "float", 1)));
        assertEquals("8/11", Items.extracted("mathvista", item("8/11", "8/11", "multi_choice", "text", 0)));
        assertEquals("1000", Items.extracted("mathvista", freeForm("1_000", "1000", "integer", 0)));
        assertEquals("4", Items.extracted("mathvista", freeForm(" 4 ", "4", "integer", 0)));
        assertEquals("3", Items.extracted("mathvista", freeForm("٣", "3", "integer", 0)));
        assertEquals("inf", Items.extracted("mathvista", freeForm("1e400", "inf", "float", 1)));
        assertNull(Items.extracted("mathvista", freeForm("", "0", "integer", 0)));
        assertEquals(Set.of(), Items.score("mathvista", freeForm("12", "12", "integer", 0)).caveats());
    }

    @Test
    void otherResponsesNeedTheJudgeAndAreFlagged() {
        ItemScore score = Items.score("mathvista", freeForm("The answer is 5", "5", "integer", 0));
        assertEquals(0.0, score.value());
        assertEquals(Set.of(Caveat.LLM_JUDGE_FALLBACK), score.caveats());
        ItemScore text = Items.score("mathvista", freeForm("Paris", "Paris", "text", 0));
        assertEquals(1.0, text.value());
        assertEquals(Set.of(Caveat.LLM_JUDGE_FALLBACK), text.caveats());
    }
}
