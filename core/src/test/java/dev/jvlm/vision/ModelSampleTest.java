package dev.jvlm.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The sample inputs of the reference checkpoints: the processor's tensors for each
 * {@code sample_image.png} equal those fed to Hugging Face's model, and the image-token count
 * equals the placeholders in the sample's token ids.
 */
class ModelSampleTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"llava, 500", "llava_next, 500", "idefics3, 500", "qwen2_vl, 502", "gemma3, 502"})
    void sampleInputMatchesHuggingFace(String family, long imageTokenId) throws IOException {
        Path dir = Fixtures.path("models/" + family);
        ProcessedImages result = ImageProcessor.fromDirectory(dir)
                .process(List.of(new ImageLoader().load(dir.resolve("sample_image.png"))));
        Safetensors expected = Safetensors.read(dir.resolve("sample_input.safetensors"));
        for (String name : result.tensors().keySet()) {
            switch (result.tensor(name)) {
                case FloatArray f -> {
                    assertArrayEquals(expected.entry(name).shape(), f.shape(), name + " shape");
                    ReferenceFixtureTest.assertClose(expected.floats(name), f.data(), name);
                }
                case LongArray l -> {
                    assertArrayEquals(expected.entry(name).shape(), l.shape(), name + " shape");
                    assertArrayEquals(expected.longs(name), l.data(), name);
                }
            }
        }
        long placeholders = inputIds(dir).stream().filter(id -> id == imageTokenId).count();
        assertEquals(placeholders, result.images().getFirst().numImageTokens());
    }

    /**
     * The Idefics3 sample lays out the prompt with stand-in ids; the expansion this processor
     * writes, mapped to those ids, must appear in it verbatim.
     */
    @Test
    void idefics3PromptExpansionMatchesSampleLayout() throws IOException {
        Path dir = Fixtures.path("models/idefics3");
        ProcessedImages result = ImageProcessor.fromDirectory(dir)
                .process(List.of(new ImageLoader().load(dir.resolve("sample_image.png"))));
        List<Long> expanded = standInIds(result.images().getFirst().prompt());
        List<Long> ids = inputIds(dir);
        assertNotEquals(-1, Collections.indexOfSubList(ids, expanded), "expansion " + expanded + " in " + ids);
    }

    private static List<Long> standInIds(String prompt) {
        Matcher m = Pattern.compile("<fake_token_around_image>|<global-img>|<row_(\\d+)_col_(\\d+)>|<image>|\n").matcher(prompt);
        List<Long> ids = new ArrayList<>();
        int end = 0;
        while (m.find()) {
            assertEquals(end, m.start(), "nothing but placeholders and newlines in the expansion");
            end = m.end();
            String t = m.group();
            ids.add(switch (t) {
                case "<fake_token_around_image>" -> 490L;
                case "<global-img>" -> 491L;
                case "<image>" -> 500L;
                case "\n" -> 10L;
                default -> 400L + 8L * (Long.parseLong(m.group(1)) - 1) + (Long.parseLong(m.group(2)) - 1);
            });
        }
        assertEquals(prompt.length(), end);
        return ids;
    }

    private static List<Long> inputIds(Path dir) throws IOException {
        JsonNode ids = new ObjectMapper().readTree(dir.resolve("sample_input.json").toFile()).get("input_ids");
        List<Long> out = new ArrayList<>();
        for (JsonNode row : ids) {
            if (row.isArray()) {
                row.forEach(v -> out.add(v.longValue()));
            } else {
                out.add(row.longValue());
            }
        }
        return out;
    }
}
