package dev.jvlm.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.io.Json;
import dev.jvlm.models.TestData;
import dev.jvlm.tensor.Ops;
import dev.jvlm.text.ChatTemplate;
import dev.jvlm.text.Tokenizer;
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.ImageProcessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reference tokenizers, templates and tiny image processors for the data tests. */
final class DataFixtures {
    private DataFixtures() {
    }

    static Tokenizer tokenizer(String name) {
        return Tokenizer.load(TestData.tokenizerDir(name));
    }

    /**
     * A reference tokenizer with extra special added tokens, as a real checkpoint of the family
     * registers them (LLaVA's {@code <image>}, SmolVLM's {@code <end_of_utterance>}, ...).
     */
    static Tokenizer tokenizerWithSpecialTokens(String name, List<String> tokens) {
        try {
            Path source = TestData.tokenizerDir(name);
            Path dir = Files.createTempDirectory("jvlm-data-tokenizer-" + name);
            ObjectNode json = (ObjectNode) Json.read(source.resolve("tokenizer.json"));
            ArrayNode added = (ArrayNode) json.get("added_tokens");
            int next = 0;
            for (JsonNode vocabId : json.get("model").get("vocab")) {
                next = Math.max(next, vocabId.asInt() + 1);
            }
            for (JsonNode a : added) {
                next = Math.max(next, a.get("id").asInt() + 1);
            }
            for (String token : tokens) {
                ObjectNode t = added.addObject();
                t.put("id", next++);
                t.put("content", token);
                t.put("single_word", false);
                t.put("lstrip", false);
                t.put("rstrip", false);
                t.put("normalized", false);
                t.put("special", true);
            }
            Files.writeString(dir.resolve("tokenizer.json"), Json.MAPPER.writeValueAsString(json));
            Files.copy(source.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
            return Tokenizer.load(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A chat template of the text fixtures ({@code text/templates/NAME.jinja}) or of {@code data/templates}. */
    static ChatTemplate template(String resource, Map<String, Object> specialTokens) {
        try {
            return ChatTemplate.of(Files.readString(TestData.resource(resource)), specialTokens);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The image processor of a tiny reference checkpoint ({@code models/ARCH}). */
    static ImageProcessor processor(String arch) {
        try {
            return ImageProcessor.fromDirectory(TestData.resource("models/" + arch));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A small RGB image with a gradient, so that resizing has something to do. */
    static DecodedImage image(int width, int height) {
        byte[] rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                rgb[i] = (byte) (x * 255 / Math.max(1, width - 1));
                rgb[i + 1] = (byte) (y * 255 / Math.max(1, height - 1));
                rgb[i + 2] = (byte) 128;
            }
        }
        return DecodedImage.rgb(width, height, rgb);
    }

    /** The decoded text of each run of consecutive labelled tokens. */
    static List<String> labelledRuns(EncodedSample s, Tokenizer tokenizer) {
        List<String> runs = new ArrayList<>();
        int[] labels = s.labels();
        for (int t = 0; t < labels.length; t++) {
            if (labels[t] == Ops.IGNORE_INDEX) {
                continue;
            }
            int start = t;
            while (t < labels.length && labels[t] != Ops.IGNORE_INDEX) {
                if (labels[t] != s.inputIds()[t]) {
                    throw new AssertionError("label " + labels[t] + " differs from input id " + s.inputIds()[t] + " at " + t);
                }
                t++;
            }
            runs.add(tokenizer.decode(java.util.Arrays.copyOfRange(s.inputIds(), start, t), false, false));
        }
        return runs;
    }

    /** The full decoded input. */
    static String decoded(EncodedSample s, Tokenizer tokenizer) {
        return tokenizer.decode(s.inputIds(), false, false);
    }

    static Sample sample(List<Message> messages, DecodedImage... images) {
        return new Sample(messages, java.util.Arrays.stream(images).map(i -> (ImageSource) new ImageSource.Decoded(i)).toList(), "test");
    }
}
