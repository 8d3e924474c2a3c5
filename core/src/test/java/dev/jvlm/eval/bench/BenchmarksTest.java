package dev.jvlm.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Prompts, references and categories per benchmark, on records shaped like the reference data sets. */
class BenchmarksTest {

    private static ObjectNode fields(String json) {
        return (ObjectNode) Json.parse(json, "test record");
    }

    /** A record with one image per name, as a reader would give it (the images are never decoded here). */
    private static BenchmarkItem item(String benchmark, String json, String... imageFields) {
        List<ImageRef> images = new ArrayList<>();
        for (String field : imageFields) {
            images.add(new ImageRef.Base64Text(field, "unused"));
        }
        return Benchmarks.find(benchmark).item(new Row(3, "line 3", fields(json), images));
    }

    private static SkipException skip(String benchmark, String json, String... imageFields) {
        return assertThrows(SkipException.class, () -> item(benchmark, json, imageFields));
    }

    private static JsonNode json(String text) {
        return Json.parse(text, "expected");
    }

    @Test
    void synthAsksTheQuestionAsTrainedAndKeysByQuestionType() {
        BenchmarkItem item = item("synth", """
                {"messages": [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Where is the star?"}]},
                              {"role": "assistant", "content": [{"type": "text", "text": "top-left"}]}],
                 "question": "Where is the star?", "answer": "top-left", "question_type": "position", "id": "test_000007"}""",
                "images[0]");
        assertEquals("Where is the star?", item.prompt());
        assertEquals("test_000007", item.id());
        assertEquals(json("{\"references\": [\"top-left\"]}"), item.scoring());
        assertEquals(Map.of("question_type", "position"), item.categories());
    }

    @Test
    void mmbenchFollowsLmmsEvalWithHintAndGroupsRotations() {
        BenchmarkItem item = item("mmbench", """
                {"index": "1000002", "question": "What animal is this?", "hint": "Look at the ears.", "A": "cat", "B": "dog",
                 "C": "", "D": "nan", "answer": "B", "category": "animal_recognition", "L2-category": "perception"}""",
                "image");
        assertEquals("Look at the ears. What animal is this? There are several options:\nA. cat\nB. dog\n\n"
                + "Answer with the option's letter from the given choices directly.", item.prompt());
        assertEquals(json("{\"references\": [\"B\"], \"choices\": {\"A\": \"cat\", \"B\": \"dog\"}}"), item.scoring());
        assertEquals(Optional.of("2"), item.group());
        assertEquals(List.of("category", "l2-category"), List.copyOf(item.categories().keySet()));
        assertEquals("perception", item.categories().get("l2-category"));

        BenchmarkItem noHint = item("mmbench", """
                {"index": 2, "question": "Q?", "hint": "nan", "A": "x", "B": "y", "answer": "A"}""", "image");
        assertEquals("Q? There are several options:\nA. x\nB. y\n\nAnswer with the option's letter from the given choices directly.",
                noHint.prompt());
        assertEquals(Optional.of("2"), noHint.group());
    }

    @Test
    void ai2dListsOptionsAndTurnsAnIndexAnswerIntoItsLetter() {
        BenchmarkItem hf = item("ai2d", """
                {"question": "Which is a producer?", "options": ["grass", "fox", "owl"], "answer": "2"}""", "image");
        assertEquals("Which is a producer?\nA. grass\nB. fox\nC. owl\nAnswer with the option's letter from the given choices directly.",
                hf.prompt());
        assertEquals(json("{\"references\": [\"C\"]}"), hf.scoring());
        BenchmarkItem tsv = item("ai2d", """
                {"index": "9", "question": "Which is a producer?", "A": "grass", "B": "fox", "answer": "A"}""", "image");
        assertEquals(json("{\"references\": [\"A\"]}"), tsv.scoring());
        assertEquals("9", tsv.id());
        assertEquals("answer '7' is neither an option letter nor an option index",
                skip("ai2d", "{\"question\": \"q\", \"options\": [\"a\", \"b\"], \"answer\": \"7\"}", "image").reason());
    }

    @Test
    void shortAnswerBenchmarksAppendTheirInstruction() {
        BenchmarkItem docvqa = item("docvqa", """
                {"questionId": 57, "question": "What is the date?", "answers": ["1 May", "May 1"]}""", "image");
        assertEquals("What is the date?\nAnswer the question using a single word or phrase.", docvqa.prompt());
        assertEquals(json("{\"references\": [\"1 May\", \"May 1\"]}"), docvqa.scoring());
        assertEquals("57", docvqa.id());

        // VLMEvalKit TSV cells hold answer lists as Python literals.
        BenchmarkItem docvqaTsv = item("docvqa", "{\"index\": \"1\", \"question\": \"Who?\", \"answer\": \"['Ann', \\\"O'Neil\\\"]\"}", "image");
        assertEquals(json("{\"references\": [\"Ann\", \"O'Neil\"]}"), docvqaTsv.scoring());

        BenchmarkItem chartqa = item("chartqa", "{\"question\": \"How many bars?\", \"answer\": \"12\", \"type\": \"human_test\"}",
                "image");
        assertEquals("How many bars?\nAnswer the question with a single word.", chartqa.prompt());
        assertEquals(Map.of("type", "human_test"), chartqa.categories());
        assertEquals("3", chartqa.id(), "without an id field the record's position is its id");

        BenchmarkItem textvqa = item("textvqa", "{\"question_id\": 5, \"question\": \"what BRAND is this?\", \"answers\": [\"nokia\"]}",
                "image");
        assertEquals("What brand is this?\nAnswer the question using a single word or phrase.", textvqa.prompt());

        BenchmarkItem vqav2 = item("vqav2", """
                {"question_id": 8, "question": "Is it raining?", "answer_type": "yes/no",
                 "answers": [{"answer": "yes", "answer_id": 1}, {"answer": "no", "answer_id": 2}]}""", "image");
        assertEquals("Is it raining?\nAnswer the question using a single word or phrase.", vqav2.prompt());
        assertEquals(json("{\"references\": [\"yes\", \"no\"]}"), vqav2.scoring());
        assertEquals(Map.of("answer_type", "yes/no"), vqav2.categories());
    }

    @Test
    void ocrbenchStripsTheQuestionAndMarksHandwrittenMaths() {
        BenchmarkItem hf = item("ocrbench", """
                {"question": "  what is written in the image?\\n", "answer": ["STOP"], "dataset": "IIIT5K",
                 "question_type": "Regular Text Recognition"}""", "image");
        assertEquals("what is written in the image?", hf.prompt());
        assertEquals(json("{\"references\": [\"STOP\"], \"dataset\": \"IIIT5K\"}"), hf.scoring());
        BenchmarkItem tsv = item("ocrbench", """
                {"index": "4", "question": "Write the formula", "answer": "['x^2']",
                 "category": "Handwritten Mathematical Expression Recognition"}""", "image");
        assertEquals(json("{\"references\": [\"x^2\"], \"dataset\": \"HME100k\"}"), tsv.scoring());
        assertEquals("Handwritten Mathematical Expression Recognition", tsv.categories().get("category"));
    }

    @Test
    void realWorldQaKeepsItsQuestionOrRebuildsItFromOptionColumns() {
        String hfQuestion = "Which way does the road turn?\nA. Left\nB. Right\nPlease answer directly with only the letter "
                + "of the correct option and nothing else.";
        BenchmarkItem hf = item("realworldqa", Json.MAPPER.createObjectNode().put("question", hfQuestion + "\n")
                .put("answer", "B").toString(), "image");
        assertEquals(hfQuestion, hf.prompt());
        BenchmarkItem tsv = item("realworldqa", """
                {"index": "1", "question": "Which way does the road turn?", "A": "Left", "B": "Right", "answer": "B"}""", "image");
        assertEquals(hfQuestion, tsv.prompt());
    }

    @Test
    void mmmuBuildsMultipleChoiceAndOpenPromptsAndShowsTheTaggedImages() {
        BenchmarkItem mc = item("mmmu", """
                {"id": "validation_Art_Theory_3", "question": "<image 2> Who painted this?", "options": "['Monet', 'Manet']",
                 "answer": "B", "question_type": "multiple-choice", "image_1": "x", "image_2": "y"}""", "image_1", "image_2");
        assertEquals("<image 2> Who painted this?\nA. Monet\nB. Manet\n\nAnswer with the option's letter from the given "
                + "choices directly.", mc.prompt());
        assertEquals(json("{\"references\": [\"B\"], \"options\": [\"Monet\", \"Manet\"]}"), mc.scoring());
        assertEquals(List.of("image_2"), mc.images().stream().map(ImageRef::field).toList());
        assertEquals(Map.of("subject", "Art_Theory", "discipline", "Art and Design"), mc.categories());

        BenchmarkItem open = item("mmmu", """
                {"id": "validation_Math_12", "question": "What is x in <image 1>?", "options": "[]", "answer": "4",
                 "question_type": "open"}""", "image_1");
        assertEquals("What is x in <image 1>?\n\nAnswer the question using a single word or phrase.", open.prompt());
        assertEquals(json("{\"references\": [\"4\"]}"), open.scoring());
        assertEquals("Science", open.categories().get("discipline"));

        assertTrue(skip("mmmu", """
                {"id": "validation_Math_1", "question": "<image 3> x?", "options": "['1', '2']", "answer": "A",
                 "question_type": "multiple-choice"}""", "image_1").reason().contains("'image_3'"));
    }

    @Test
    void cordAsksForJsonAndScoresAgainstTheGroundTruthParse() {
        BenchmarkItem item = item("cord", """
                {"ground_truth": "{\\"gt_parse\\": {\\"menu\\": {\\"nm\\": \\"tea\\", \\"price\\": \\"3\\"}}, \\"meta\\": {}}"}""",
                "image");
        assertEquals("Extract JSON", item.prompt());
        assertEquals(json("{\"references\": [{\"menu\": {\"nm\": \"tea\", \"price\": \"3\"}}]}"), item.scoring());
        assertTrue(skip("cord", "{\"ground_truth\": \"menu\"}", "image").reason()
                .startsWith("field 'ground_truth' is not valid JSON (Unrecognized token 'menu'"));
    }

    @Test
    void missingFieldsAndImagesAreSkipsNamingTheField() {
        assertEquals("missing field 'question'", skip("docvqa", "{\"answers\": [\"a\"]}", "image").reason());
        assertEquals("missing field 'answer'", skip("docvqa", "{\"question\": \"q\"}", "image").reason());
        assertEquals("no image (expected 'image', 'images' or 'image_path')",
                skip("docvqa", "{\"question\": \"q\", \"answers\": [\"a\"]}").reason());
        assertEquals("no options (expected 'options' or option columns A, B, ...)",
                skip("mmbench", "{\"index\": 1, \"question\": \"q\", \"answer\": \"A\"}", "image").reason());
    }

    @Test
    void unknownBenchmarksAreAnErrorListingTheKnownOnes() {
        JvlmException e = assertThrows(JvlmException.class, () -> Benchmarks.find("mmlu"));
        assertEquals("unknown benchmark 'mmlu'; known benchmarks: synth, mmbench, ai2d, docvqa, chartqa, textvqa, vqav2, "
                + "ocrbench, realworldqa, mmmu, cord", e.getMessage());
        assertEquals("docvqa", Benchmarks.find(" DocVQA ").name());
    }

    @Test
    void capitalizeIsPythons() {
        assertEquals("Hello world", Benchmarks.capitalize("hELLO WORLD"));
        assertEquals("", Benchmarks.capitalize(""));
        assertEquals("1st place", Benchmarks.capitalize("1ST Place"));
    }
}
