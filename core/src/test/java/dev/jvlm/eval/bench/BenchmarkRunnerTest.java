package dev.jvlm.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.JvlmException;
import dev.jvlm.eval.Metrics;
import dev.jvlm.eval.Summary;
import dev.jvlm.io.Json;
import dev.jvlm.synth.QuestionType;
import dev.jvlm.synth.Split;
import dev.jvlm.synth.SynthConfig;
import dev.jvlm.synth.SynthDataset;
import dev.jvlm.vision.DecodedImage;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole runs over generated benchmark files, with fake models whose right answers are known. */
class BenchmarkRunnerTest {
    @TempDir
    Path dir;

    /** A model that answers with a function of the prompt and remembers what it was shown. */
    private static final class FakeModel implements Predictor {
        final Function<String, String> answer;
        final List<String> prompts = new ArrayList<>();
        final List<List<DecodedImage>> images = new ArrayList<>();
        final List<Integer> maxNewTokens = new ArrayList<>();

        FakeModel(Function<String, String> answer) {
            this.answer = answer;
        }

        @Override
        public String predict(String prompt, List<DecodedImage> shown, int limit) {
            prompts.add(prompt);
            images.add(shown);
            maxNewTokens.add(limit);
            return answer.apply(prompt);
        }
    }

    /** The letter of the option "cat", as "X. cat" appears in an MMBench prompt. */
    private static String letterOfCat(String prompt) {
        Matcher m = Pattern.compile("\n([A-Z])\\. cat\n").matcher(prompt);
        return m.find() ? m.group(1) : "Z";
    }

    private EvalSummary run(Path data, String benchmark, Predictor model) {
        return run(data, benchmark, model, 0, dir.resolve("out"));
    }

    private EvalSummary run(Path data, String benchmark, Predictor model, int limit, Path output) {
        Benchmark b = Benchmarks.find(benchmark);
        return BenchmarkRunner.run(new EvalRequest(b, data, output, "fake-model", b.maxNewTokens(), limit), model,
                ProgressListener.NONE);
    }

    private static List<JsonNode> predictions(Path output) throws IOException {
        return Files.readAllLines(output.resolve("predictions.jsonl")).stream().map(l -> Json.parse(l, "prediction")).toList();
    }

    private Path jsonl(String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    private void image(String name, int width) throws IOException {
        Files.createDirectories(dir.resolve(name).getParent());
        Files.write(dir.resolve(name), TestImages.png(width, 2, Color.ORANGE));
    }

    @Test
    void mmbenchTsvScoresRotationsAndCircularGroupsPerCategory() throws IOException {
        String wide = TestImages.base64Png(5, 3, Color.RED);
        String narrow = TestImages.base64Png(2, 3, Color.BLUE);
        String header = "index\tquestion\thint\tA\tB\tanswer\tcategory\tl2-category\timage\n";
        Path tsv = dir.resolve("mmbench.tsv");
        Files.writeString(tsv, header
                + "1\tWhich animal?\t\tcat\tdog\tA\tanimals\tperception\t" + wide + "\n"
                + "1000001\tWhich animal?\t\tdog\tcat\tB\tanimals\tperception\t1\n"
                + "2\tWhich pet barks?\tIt is loud.\tcat\tdog\tB\tsounds\tperception\t" + narrow + "\n"
                + "1000002\tWhich pet barks?\tIt is loud.\tdog\tcat\tA\tsounds\tperception\t2\n"
                + "3\tBroken image?\t\tcat\tdog\tA\tanimals\tperception\t" + "bm90IGFuIGltYWdlIGF0IGFsbCwganVzdCBzb21lIHRleHQgdGhhdCBpcyBsb25nIGVub3VnaA==\n"
                + "4\t\t\tcat\tdog\tA\tanimals\tperception\t" + wide + "\n"
                + "5\ttoo few cells\n");
        FakeModel model = new FakeModel(BenchmarkRunnerTest::letterOfCat);
        EvalSummary summary = run(tsv, "mmbench", model);

        // Question 1 is right in both rotations, question 2 (the answer is dog) in neither.
        Summary overall = summary.overall();
        assertEquals("mmbench_circular", overall.metric());
        assertEquals(2, overall.n());
        assertEquals(0.5, overall.mean().orElseThrow());
        assertEquals(Map.of("animals", 1.0, "sounds", 0.0), means(summary.categories().get("category")));
        assertEquals(Map.of("perception", 0.5), means(summary.categories().get("l2-category")));
        assertEquals(4, model.prompts.size(), "the broken image is found before the model is asked");
        assertEquals(List.of(5, 5, 2, 2), model.images.stream().limit(4).map(i -> i.getFirst().width()).toList(),
                "rotations show the image of the row their image cell names");
        assertEquals("It is loud. Which pet barks? There are several options:\nA. cat\nB. dog\n\n"
                + "Answer with the option's letter from the given choices directly.", model.prompts.get(2));
        assertEquals(List.of(1024), model.maxNewTokens.stream().distinct().toList());

        List<JsonNode> lines = predictions(dir.resolve("out"));
        assertEquals(List.of("1", "1000001", "2", "1000002"), lines.stream().map(l -> l.get("id").asText()).toList());
        assertEquals(List.of(1.0, 1.0, 0.0, 0.0), lines.stream().map(l -> l.get("score").asDouble()).toList());
        assertEquals(List.of("A", "B", "A", "B"), lines.stream().map(l -> l.get("prediction").asText()).toList());
        assertEquals("animals", lines.getFirst().get("category").asText());
        assertEquals("A", lines.getFirst().get("answer").asText());

        assertEquals(List.of("row 5 (line 6), id 3: image does not decode",
                        "row 6 (line 7): missing field 'question'",
                        "row 7 (line 8): a row has 2 cells where the header has 9"),
                summary.skipped().stream().map(s -> s.where() + ": " + s.reason().replaceAll("(does not decode).*", "$1")).toList());

        JsonNode json = Json.read(dir.resolve("out/summary.json"));
        assertEquals("mmbench", json.get("benchmark").asText());
        assertEquals("mmbench_circular", json.get("metric").asText());
        assertEquals(0.5, json.get("score").asDouble());
        assertEquals(2, json.get("n").asInt());
        assertEquals(4, json.get("predicted").asInt());
        assertEquals(1.0, json.at("/categories/category/animals/score").asDouble());
        assertEquals(3, json.at("/skipped/count").asInt());
        assertEquals(1, json.at("/skipped/reasons/missing field 'question'").asInt());
        String report = Files.readString(dir.resolve("out/report.md"));
        assertTrue(report.startsWith("# mmbench: mmbench_circular\n"), report);
        assertTrue(report.contains("| mmbench_circular | 2 | 50.00 |\n"), report);
        assertTrue(report.contains("## By category\n\n| category | n | mmbench_circular (%) |\n| --- | ---: | ---: |\n"
                + "| animals | 1 | 100.00 |\n| sounds | 1 | 0.00 |\n"), report);
        assertTrue(report.contains("| missing field 'question' | 1 |\n"), report);
    }

    private static Map<String, Double> means(Map<String, Summary> table) {
        Map<String, Double> means = new TreeMap<>();
        table.forEach((category, s) -> means.put(category, s.mean().orElseThrow()));
        return means;
    }

    @Test
    void docvqaJsonlWithImagesRelativeToTheFile() throws IOException {
        image("imgs/a.png", 7);
        image("imgs/b.png", 8);
        Path data = jsonl("docvqa.jsonl",
                "{\"questionId\": 10, \"question\": \"Greeting?\", \"image\": \"imgs/a.png\", \"answers\": [\"hello\"]}",
                "{\"questionId\": 11, \"question\": \"Planet?\", \"image\": \"imgs/b.png\", \"answers\": [\"world\", \"earth\"]}",
                "{\"questionId\": 12, \"question\": \"Again?\", \"image\": \"imgs/a.png\", \"answers\": [\"Hello \"]}",
                "{\"questionId\": 13, \"question\": \"Lost?\", \"image\": \"imgs/missing.png\", \"answers\": [\"x\"]}",
                "{\"questionId\": 14, \"question\": ");
        FakeModel model = new FakeModel(prompt -> " hello\n");
        EvalSummary summary = run(data, "docvqa", model);
        // ANLS: "hello" vs "world" is 4 edits in 5 letters, under the 0.5 threshold, so 0.
        assertEquals("anls", summary.overall().metric());
        assertEquals(3, summary.overall().n());
        assertEquals(2.0 / 3, summary.overall().mean().orElseThrow(), 1e-12);
        assertEquals(List.of(7, 8, 7), model.images.stream().map(i -> i.getFirst().width()).toList());
        assertEquals("Greeting?\nAnswer the question using a single word or phrase.", model.prompts.getFirst());
        assertEquals(2, summary.skipped().size());
        assertEquals("image file not found: " + dir.resolve("imgs/missing.png"), summary.skipped().get(0).reason());
        assertTrue(summary.skipped().get(1).reason().startsWith("malformed JSON"), summary.skipped().get(1).reason());
        JsonNode first = predictions(dir.resolve("out")).getFirst();
        assertEquals(Json.parse("""
                {"id": "10", "prompt": "Greeting?\\nAnswer the question using a single word or phrase.",
                 "prediction": " hello\\n", "answer": ["hello"], "score": 1.0, "category": null}""", "expected"), first);
    }

    @Test
    void parquetInHuggingFaceLayoutRunsEndToEnd() {
        Path data = dev.jvlm.data.ParquetFixtures.writeVqa(dir.resolve("vqa.parquet"),
                List.of(new String[] {"What colour?", "red"}, new String[] {"How many?", "2"}, new String[] {"Where?", "left"}));
        FakeModel model = new FakeModel(prompt -> prompt.startsWith("What colour?") ? "red" : "3");
        EvalSummary summary = run(data, "synth", model);
        assertEquals(3, summary.overall().n());
        assertEquals(1.0 / 3, summary.overall().mean().orElseThrow(), 1e-12);
        assertEquals(8, model.images.getFirst().getFirst().width(), "the image struct's bytes reach the model");
        assertEquals(0, summary.skipped().size());
    }

    @Test
    void synthOutputIsScoredByExactMatchPerQuestionType() throws IOException {
        Path data = dir.resolve("shapes");
        new SynthDataset(new SynthConfig(3, 32, QuestionType.QUESTIONS)).write(data, Map.of(Split.TEST, 36));
        FakeModel model = new FakeModel(prompt -> "yes");
        EvalSummary summary = run(data.resolve("test.jsonl"), "synth", model);

        // Expected from the file itself: "yes" is right exactly where the answer is yes.
        Map<String, int[]> byType = new TreeMap<>();
        for (String line : Files.readAllLines(data.resolve("test.jsonl"))) {
            JsonNode example = Json.parse(line, "synth line");
            int[] counts = byType.computeIfAbsent(example.get("question_type").asText(), t -> new int[2]);
            counts[0] += example.get("answer").asText().equals("yes") ? 1 : 0;
            counts[1]++;
        }
        Map<String, Double> expected = new TreeMap<>();
        byType.forEach((type, counts) -> expected.put(type, (double) counts[0] / counts[1]));
        assertEquals(6, expected.size());
        assertTrue(expected.get("existence") > 0 && expected.get("existence") < 1, "the seed gives yes and no answers");
        assertEquals(expected, means(summary.categories().get("question_type")));
        assertEquals("exact_match", summary.overall().metric());
        assertEquals(36, summary.overall().n());
        assertEquals(64, model.maxNewTokens.getFirst());
        assertEquals(32, model.images.getFirst().getFirst().width());
        assertTrue(summary.skipped().isEmpty());
    }

    @Test
    void anInterruptedRunResumesAndEndsWithTheUninterruptedPredictions() throws IOException {
        Path data = dir.resolve("shapes");
        new SynthDataset(new SynthConfig(9, 32, QuestionType.QUESTIONS)).write(data, Map.of(Split.TEST, 12));
        Path file = data.resolve("test.jsonl");
        Function<String, String> answers = prompt -> prompt.length() % 3 == 0 ? "yes" : "red";

        Path whole = dir.resolve("whole");
        run(file, "synth", new FakeModel(answers), 0, whole);

        Path resumed = dir.resolve("resumed");
        int[] calls = {0};
        Predictor crashing = (prompt, images, limit) -> {
            if (++calls[0] > 5) {
                throw new IllegalStateException("killed");
            }
            return answers.apply(prompt);
        };
        assertThrows(IllegalStateException.class, () -> run(file, "synth", crashing, 0, resumed));
        assertEquals(5, predictions(resumed).size());
        // A kill while writing leaves half a line behind.
        Files.writeString(resumed.resolve("predictions.jsonl"), "{\"id\": \"test_0000", java.nio.file.StandardOpenOption.APPEND);

        FakeModel rest = new FakeModel(answers);
        List<int[]> progress = new ArrayList<>();
        EvalSummary summary = BenchmarkRunner.run(new EvalRequest(Benchmarks.find("synth"), file, resumed, "fake-model"), rest,
                new ProgressListener() {
                    @Override
                    public void started(int total, int done) {
                        progress.add(new int[]{total, done});
                    }

                    @Override
                    public void advanced(int done) {
                        progress.add(new int[]{done});
                    }
                });
        assertEquals(7, rest.prompts.size(), "only the items without a prediction are asked");
        assertEquals(5, summary.resumed());
        assertEquals(12, summary.predicted());
        assertEquals(List.of(12, 5), List.of(progress.getFirst()[0], progress.getFirst()[1]));
        assertEquals(List.of(6, 7, 8, 9, 10, 11, 12), progress.stream().skip(1).map(p -> p[0]).toList());
        assertEquals(Files.readString(whole.resolve("predictions.jsonl")), Files.readString(resumed.resolve("predictions.jsonl")));
        assertEquals(Files.readString(whole.resolve("report.md")), Files.readString(resumed.resolve("report.md"))
                .replace("(5 of them in an earlier run)", "(0 of them in an earlier run)"));

        // A complete run is not asked anything again.
        FakeModel none = new FakeModel(answers);
        run(file, "synth", none, 0, resumed);
        assertEquals(0, none.prompts.size());
    }

    @Test
    void resumingRefusesPredictionsMadeDifferently() throws IOException {
        image("imgs/a.png", 3);
        Path data = jsonl("chart.jsonl", "{\"question\": \"How many?\", \"image\": \"imgs/a.png\", \"answer\": \"3\"}");
        Path out = dir.resolve("out");
        run(data, "chartqa", new FakeModel(p -> "3"));
        Benchmark chartqa = Benchmarks.find("chartqa");
        JvlmException otherModel = assertThrows(JvlmException.class, () -> BenchmarkRunner.run(
                new EvalRequest(chartqa, data, out, "other-model"), new FakeModel(p -> "3"), ProgressListener.NONE));
        assertEquals(out + " holds a run of benchmark chartqa with model fake-model (replies up to 16 tokens), not of "
                + "benchmark chartqa with model other-model (replies up to 16 tokens); give another --output to keep both",
                otherModel.getMessage());

        Files.writeString(data, "{\"question\": \"How many bars?\", \"image\": \"imgs/a.png\", \"answer\": \"3\"}\n");
        JvlmException otherPrompt = assertThrows(JvlmException.class, () -> run(data, "chartqa", new FakeModel(p -> "3")));
        assertTrue(otherPrompt.getMessage().contains("line 1: item '1' was predicted for another prompt"), otherPrompt.getMessage());

        Files.writeString(out.resolve("predictions.jsonl"), "{\"id\": \"1\"}\n");
        JvlmException damaged = assertThrows(JvlmException.class, () -> run(data, "chartqa", new FakeModel(p -> "3")));
        assertTrue(damaged.getMessage().startsWith(out.resolve("predictions.jsonl") + ", line 1: a line needs text fields"),
                damaged.getMessage());
    }

    @Test
    void limitTakesTheFirstRecordsAndALargerLimitContinues() throws IOException {
        Path data = dir.resolve("shapes");
        new SynthDataset(new SynthConfig(4, 32, QuestionType.QUESTIONS)).write(data, Map.of(Split.TEST, 10));
        FakeModel first = new FakeModel(p -> "no");
        EvalSummary three = run(data.resolve("test.jsonl"), "synth", first, 3, dir.resolve("out"));
        assertEquals(3, three.overall().n());
        assertEquals(List.of("test_000000", "test_000001", "test_000002"),
                predictions(dir.resolve("out")).stream().map(l -> l.get("id").asText()).toList());
        FakeModel more = new FakeModel(p -> "no");
        assertEquals(5, run(data.resolve("test.jsonl"), "synth", more, 5, dir.resolve("out")).overall().n());
        assertEquals(2, more.prompts.size());
    }

    @Test
    void modelFailuresOnOneItemAreCountedSkips() throws IOException {
        image("imgs/a.png", 3);
        Path data = jsonl("ocr.jsonl",
                "{\"question\": \"Read it\", \"image\": \"imgs/a.png\", \"answer\": [\"STOP\"], \"dataset\": \"IIIT5K\", \"question_type\": \"Regular\"}",
                "{\"question\": \"Too long\", \"image\": \"imgs/a.png\", \"answer\": [\"GO\"], \"dataset\": \"IIIT5K\", \"question_type\": \"Regular\"}",
                "{\"question\": \"Read that\", \"image\": \"imgs/a.png\", \"answer\": [\"SLOW\"], \"dataset\": \"IIIT5K\", \"question_type\": \"Regular\"}");
        EvalSummary summary = run(data, "ocrbench", new FakeModel(prompt -> {
            if (prompt.equals("Too long")) {
                throw new JvlmException("the prompt has 9000 tokens, more than the model's 8192");
            }
            return "it says stop";
        }));
        assertEquals(2, summary.overall().n());
        assertEquals(1.0, summary.overall().sum().orElseThrow(), "OCRBench reports points");
        assertEquals(0.5, summary.overall().mean().orElseThrow());
        assertEquals(List.of("line 2, id 2: the model cannot take this item: the prompt has 9000 tokens, more than the model's 8192"),
                summary.skipped().stream().map(s -> s.where() + ": " + s.reason()).toList());
        assertEquals(2, predictions(dir.resolve("out")).size());
        assertEquals(1.0, Json.read(dir.resolve("out/summary.json")).get("points").asDouble());

        JvlmException allFailed = assertThrows(JvlmException.class, () -> run(data, "ocrbench", new FakeModel(prompt -> {
            throw new JvlmException("model_type \"llama\" takes no images");
        }), 0, dir.resolve("text-only")));
        assertEquals("no item of " + data + " could be scored (3 x the model cannot take this item: model_type \"llama\" takes "
                + "no images); see " + dir.resolve("text-only/report.md"), allFailed.getMessage());
        assertTrue(Files.readString(dir.resolve("text-only/report.md")).contains("| 3 |"), "the report still says why");
    }

    @Test
    void cordReportsDonutAccuracyAndPooledF1() throws IOException {
        image("imgs/r.png", 4);
        Path data = jsonl("cord.jsonl",
                "{\"image\": \"imgs/r.png\", \"ground_truth\": \"{\\\"gt_parse\\\": {\\\"nm\\\": \\\"tea\\\"}}\"}",
                "{\"image\": \"imgs/r.png\", \"ground_truth\": \"{\\\"gt_parse\\\": {\\\"nm\\\": \\\"cake\\\"}}\"}");
        FakeModel model = new FakeModel(prompt -> "<s_nm>tea</s_nm>");
        EvalSummary summary = run(data, "cord", model);
        assertEquals(List.of("Extract JSON"), model.prompts.stream().distinct().toList());
        assertEquals(768, model.maxNewTokens.getFirst());
        ObjectNode wrong = Json.MAPPER.createObjectNode().put("prediction", "<s_nm>tea</s_nm>");
        wrong.putArray("references").addObject().put("nm", "cake");
        double wrongAccuracy = Metrics.find("cord_ted_acc_from_tokens").orElseThrow().score(wrong).value();
        assertEquals((1 + wrongAccuracy) / 2, summary.overall().mean().orElseThrow(), 1e-12);
        // One field right of two predicted and two expected: 1 / (1 + (1 + 1) / 2).
        Summary f1 = summary.alsoReported().getFirst();
        assertEquals("cord_f1_from_tokens", f1.metric());
        assertEquals(0.5, f1.microF1().orElseThrow(), 1e-12);
        assertEquals(0.5, Json.read(dir.resolve("out/summary.json")).at("/also_reported/cord_f1_from_tokens/micro_f1").asDouble());
    }

    @Test
    void filesWithNothingToEvaluateAndRepeatedIdsAreErrors() throws IOException {
        Path none = jsonl("none.jsonl", "{\"question\": \"q\"}", "{\"question\": \"r\"}");
        JvlmException nothing = assertThrows(JvlmException.class, () -> run(none, "docvqa", new FakeModel(p -> "")));
        assertEquals(none + ": no record can be evaluated as docvqa (2 x missing field 'answer')", nothing.getMessage());
        assertTrue(Files.notExists(dir.resolve("out")), "nothing is written for a file that cannot be evaluated");

        image("imgs/a.png", 3);
        Path twice = jsonl("twice.jsonl",
                "{\"id\": \"a\", \"question\": \"q\", \"image\": \"imgs/a.png\", \"answer\": \"x\"}",
                "{\"id\": \"a\", \"question\": \"r\", \"image\": \"imgs/a.png\", \"answer\": \"y\"}");
        JvlmException repeated = assertThrows(JvlmException.class, () -> run(twice, "synth", new FakeModel(p -> "")));
        assertEquals(twice + ", line 2: id 'a' was already used by line 1; items need unique ids (id, index or question_id)",
                repeated.getMessage());
    }
}
