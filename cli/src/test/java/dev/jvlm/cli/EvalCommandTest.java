package dev.jvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.io.Json;
import dev.jvlm.models.TestData;
import dev.jvlm.synth.SynthDataset;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jvlm eval} end to end on the small Qwen2-VL reference checkpoint, given a word-level
 * tokenizer over the synthetic task's words and a Qwen-style chat template, so that replies are
 * real (if meaningless) greedy generations and a few items take a fraction of a second.
 */
class EvalCommandTest {
    @TempDir
    static Path tmp;

    static Path model;
    static Path synth;

    /** Ids the reference config gives its special tokens; the word vocabulary fills the ids below them. */
    private static final List<String> SPECIAL_TOKENS = List.of("<|endoftext|>", "<|im_end|>", "<|im_start|>",
            "<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>");
    private static final int FIRST_SPECIAL_ID = 497;
    private static final int VOCAB_SIZE = 512;

    private static final String CHAT_TEMPLATE = """
            {%- for message in messages %}<|im_start|>{{ message['role'] }}
            {% for part in message['content'] %}{% if part['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>\
            {% else %}{{ part['text'] }}{% endif %}{% endfor %}<|im_end|>
            {% endfor %}{% if add_generation_prompt %}<|im_start|>assistant
            {% endif %}""";

    @BeforeAll
    static void makeModelAndData() throws IOException {
        model = Files.createDirectories(tmp.resolve("model"));
        Path reference = TestData.resource("models/qwen2_vl");
        for (String file : List.of("config.json", "generation_config.json", "model.safetensors", "preprocessor_config.json")) {
            Files.copy(reference.resolve(file), model.resolve(file));
        }
        Files.writeString(model.resolve("tokenizer.json"), wordLevelTokenizer());
        Files.writeString(model.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|im_end|>\"}");
        Files.writeString(model.resolve("chat_template.jinja"), CHAT_TEMPLATE);
        synth = tmp.resolve("shapes");
        CliRunner made = CliRunner.run("synth", "--output", synth.toString(), "--test", "4", "--image-size", "32");
        assertEquals(0, made.exitCode(), made.err());
    }

    private static String wordLevelTokenizer() {
        ObjectNode tokenizer = Json.MAPPER.createObjectNode();
        tokenizer.put("version", "1.0");
        ArrayNode added = tokenizer.putArray("added_tokens");
        for (int i = FIRST_SPECIAL_ID; i < VOCAB_SIZE; i++) {
            int k = i - FIRST_SPECIAL_ID;
            added.addObject().put("id", i).put("content", k < SPECIAL_TOKENS.size() ? SPECIAL_TOKENS.get(k) : "<|reserved_" + k + "|>")
                    .put("single_word", false).put("lstrip", false).put("rstrip", false).put("normalized", false)
                    .put("special", true);
        }
        tokenizer.putObject("pre_tokenizer").put("type", "Whitespace");
        ObjectNode wordLevel = tokenizer.putObject("model").put("type", "WordLevel").put("unk_token", "[UNK]");
        ObjectNode vocab = wordLevel.putObject("vocab");
        vocab.put("[UNK]", 0);
        for (String word : SynthDataset.vocabulary()) {
            vocab.put(word, vocab.size());
        }
        // Every id the model can generate decodes to something.
        while (vocab.size() < FIRST_SPECIAL_ID) {
            vocab.put("w" + vocab.size(), vocab.size());
        }
        return tokenizer.toString();
    }

    private static String base64Png(int width, int height, int rgb) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        return Base64.getEncoder().encodeToString(png.toByteArray());
    }

    private static CliRunner eval(String benchmark, Path data, Path output, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("eval", "--model", model.toString(), "--benchmark", benchmark,
                "--data", data.toString(), "--output", output.toString(), "--max-tokens", "3"));
        args.addAll(List.of(more));
        return CliRunner.run(args.toArray(String[]::new));
    }

    private static List<JsonNode> predictions(Path output) throws IOException {
        return Files.readAllLines(output.resolve("predictions.jsonl")).stream().map(l -> Json.parse(l, "prediction line")).toList();
    }

    @Test
    void synthOutputEvaluatesWithAProgressBarAndAReport() throws IOException {
        Path out = tmp.resolve("synth-run");
        CliRunner r = eval("synth", synth.resolve("test.jsonl"), out);
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("# synth: exact_match\n"), r.out());
        assertTrue(r.out().contains("## By question_type"), r.out());
        assertTrue(r.err().contains("eval synth") && r.err().contains("100%") && r.err().contains("4/4"), r.err());

        List<String> questions = Files.readAllLines(synth.resolve("test.jsonl")).stream()
                .map(l -> Json.parse(l, "synth line").get("answer").asText()).toList();
        List<JsonNode> lines = predictions(out);
        assertEquals(4, lines.size());
        for (int i = 0; i < 4; i++) {
            JsonNode line = lines.get(i);
            assertEquals(questions.get(i), line.get("answer").asText());
            boolean exact = line.get("prediction").asText().strip().equals(line.get("answer").asText());
            assertEquals(exact ? 1.0 : 0.0, line.get("score").asDouble(), "exact match of " + line);
        }
        JsonNode summary = Json.read(out.resolve("summary.json"));
        assertEquals(4, summary.get("n").asInt());
        assertEquals(lines.stream().mapToDouble(l -> l.get("score").asDouble()).sum() / 4, summary.get("score").asDouble(), 1e-12);
        assertEquals(model.toString(), Json.read(out.resolve("run.json")).get("model").asText());
        assertEquals(3, Json.read(out.resolve("run.json")).get("max_new_tokens").asInt());
    }

    @Test
    void anInterruptedRunResumesToTheUninterruptedPredictions() throws IOException {
        Path whole = tmp.resolve("whole");
        assertEquals(0, eval("synth", synth.resolve("test.jsonl"), whole).exitCode());
        Path resumed = tmp.resolve("resumed");
        CliRunner first = eval("synth", synth.resolve("test.jsonl"), resumed, "--limit", "2");
        assertEquals(0, first.exitCode(), first.err());
        assertEquals(2, predictions(resumed).size());
        CliRunner rest = eval("synth", synth.resolve("test.jsonl"), resumed);
        assertEquals(0, rest.exitCode(), rest.err());
        assertEquals(2, Json.read(resumed.resolve("summary.json")).get("resumed").asInt());
        assertEquals(Files.readString(whole.resolve("predictions.jsonl")), Files.readString(resumed.resolve("predictions.jsonl")));
    }

    @Test
    void vlmEvalKitTsvAndQuestionImageAnswerJsonl() throws IOException {
        Path tsv = tmp.resolve("docvqa.tsv");
        Files.writeString(tsv, "index\timage\tquestion\tanswer\n"
                + "0\t" + base64Png(40, 30, 0xff0000) + "\tWhat is the total?\t['12.50', '12.5']\n"
                + "1\t" + base64Png(30, 40, 0x0000ff) + "\t\"Who signed\tit?\"\tAnn\n");
        Path tsvOut = tmp.resolve("docvqa-run");
        CliRunner fromTsv = eval("docvqa", tsv, tsvOut);
        assertEquals(0, fromTsv.exitCode(), fromTsv.err());
        List<JsonNode> tsvLines = predictions(tsvOut);
        assertEquals(List.of("What is the total?\nAnswer the question using a single word or phrase.",
                "Who signed\tit?\nAnswer the question using a single word or phrase."),
                tsvLines.stream().map(l -> l.get("prompt").asText()).toList());
        assertEquals(Json.parse("[\"12.50\", \"12.5\"]", "answers"), tsvLines.getFirst().get("answer"));
        assertEquals("anls", Json.read(tsvOut.resolve("summary.json")).get("metric").asText());

        Path images = Files.createDirectories(tmp.resolve("chart/images"));
        Files.write(images.resolve("bar.png"), Base64.getDecoder().decode(base64Png(50, 20, 0x00ff00)));
        Path jsonl = tmp.resolve("chart/chartqa.jsonl");
        Files.writeString(jsonl, """
                {"question": "How many bars?", "image": "images/bar.png", "answer": "3", "type": "human_test"}
                {"question": "Highest value?", "image": "images/bar.png", "answer": "40", "type": "augmented_test"}
                {"question": "Broken?", "image": "images/none.png", "answer": "1", "type": "human_test"}
                """);
        Path jsonlOut = tmp.resolve("chart-run");
        CliRunner fromJsonl = eval("chartqa", jsonl, jsonlOut);
        assertEquals(0, fromJsonl.exitCode(), fromJsonl.err());
        JsonNode summary = Json.read(jsonlOut.resolve("summary.json"));
        assertEquals(2, summary.get("n").asInt());
        assertEquals(List.of("augmented_test", "human_test"), List.copyOf(
                Json.MAPPER.convertValue(summary.at("/categories/type"), java.util.Map.class).keySet()));
        assertEquals(1, summary.at("/skipped/count").asInt());
        assertTrue(summary.at("/skipped/items/0/reason").asText().startsWith("image file not found: "), summary.toString());
        assertTrue(fromJsonl.out().contains("## Skipped"), fromJsonl.out());
    }

    @Test
    void userErrorsAreOneLine() throws IOException {
        CliRunner unknown = eval("mmlu", synth.resolve("test.jsonl"), tmp.resolve("x"));
        assertEquals(1, unknown.exitCode());
        assertEquals("jvlm: unknown benchmark 'mmlu'; known benchmarks: synth, mmbench, ai2d, docvqa, chartqa, textvqa, vqav2, "
                + "ocrbench, realworldqa, mmmu, cord\n", unknown.err());

        CliRunner missing = eval("synth", tmp.resolve("none.jsonl"), tmp.resolve("x"));
        assertEquals("jvlm: " + tmp.resolve("none.jsonl") + ": file not found\n", missing.err());

        Path parquet = Files.writeString(tmp.resolve("val.parquet"), "PAR1");
        CliRunner corrupt = eval("docvqa", parquet, tmp.resolve("x"));
        assertEquals(1, corrupt.exitCode());
        assertTrue(corrupt.err().startsWith("jvlm: " + parquet + ": cannot read as parquet: "), corrupt.err());
        assertEquals(1, corrupt.err().strip().lines().count(), corrupt.err());

        CliRunner negative = eval("synth", synth.resolve("test.jsonl"), tmp.resolve("x"), "--limit", "-1");
        assertEquals("jvlm: --limit must be at least 1 (or 0 for every item), got -1\n", negative.err());
        assertFalse(Files.exists(tmp.resolve("x")), "nothing is written for a run that cannot start");
    }
}
