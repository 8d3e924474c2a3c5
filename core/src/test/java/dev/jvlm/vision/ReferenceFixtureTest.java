package dev.jvlm.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every image of the Hugging Face reference fixtures (transformers 4.50), through the family's
 * processor built from the fixture's {@code preprocessor_config.json} and {@code config.json}:
 * tensors within 1e-5, token counts, prompts and family fields equal, and for JPEG the decoded
 * pixels equal to Pillow's.
 */
class ReferenceFixtureTest {

    private static final double TOLERANCE = 1e-5;
    private static final List<String> FAMILIES = List.of("llava", "llava_next", "idefics3", "qwen2_vl", "qwen2_5_vl", "gemma3");

    static Stream<Arguments> fixtures() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (String family : FAMILIES) {
            try (Stream<Path> files = Files.list(Fixtures.path(family))) {
                files.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".expected.json"))
                        .sorted()
                        .forEach(n -> out.add(Arguments.of(family, n.substring(0, n.length() - ".expected.json".length()))));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("fixtures")
    void processorMatchesHuggingFace(String family, String name) throws IOException {
        Path dir = Fixtures.path(family);
        JsonNode expected = new ObjectMapper().readTree(dir.resolve(name + ".expected.json").toFile());
        assertTrue(expected.get("ok").booleanValue(), "every fixture image is accepted");
        DecodedImage image = new ImageLoader().load(dir.resolve(expected.get("image").textValue()));
        assertEquals(expected.get("width").intValue(), image.width());
        assertEquals(expected.get("height").intValue(), image.height());
        assertEquals(expected.get("mode").textValue(), image.mode().name());

        ImageProcessor processor = ImageProcessor.fromDirectory(dir);
        ProcessedImages result = processor.process(List.of(image));
        Safetensors tensors = Safetensors.read(dir.resolve(expected.get("expected").textValue()));

        JsonNode shapes = expected.get("shapes");
        for (var it = shapes.fieldNames(); it.hasNext(); ) {
            String tensor = it.next();
            int[] shape = shapeOf(shapes.get(tensor));
            if (tensor.equals("decoded_rgb")) {
                assertArrayEquals(tensors.longs("decoded_rgb"), unsigned(image.toRgb().samples()),
                        "decoded JPEG pixels equal Pillow's");
                continue;
            }
            NdArray actual = result.tensor(tensor);
            if (actual == null) {
                fail("processor produced no " + tensor + "; it produced " + result.tensors().keySet());
            }
            assertArrayEquals(shape, actual.shape(), tensor + " shape");
            switch (actual) {
                case FloatArray f -> assertClose(tensors.floats(tensor), f.data(), tensor);
                case LongArray l -> assertArrayEquals(tensors.longs(tensor), l.data(), tensor);
            }
        }

        ImageSummary summary = result.images().getFirst();
        assertEquals(expected.get("num_image_tokens").intValue(), summary.numImageTokens(), "num_image_tokens");
        assertEquals(Fixtures.expandShorthand(expected.get("prompt").textValue()), summary.prompt(), "prompt");
        assertEquals(image.width(), summary.width());
        assertEquals(image.height(), summary.height());
        switch (summary) {
            case LlavaNextImageProcessor.Summary s -> {
                assertArrayEquals(shapeOf(expected.get("best_resolution")), s.bestResolution());
                assertEquals(expected.get("num_tiles_including_base").intValue(), s.numTilesIncludingBase());
            }
            case Idefics3ImageProcessor.Summary s -> {
                assertEquals(expected.get("rows").intValue(), s.rows());
                assertEquals(expected.get("cols").intValue(), s.cols());
                assertEquals(expected.get("image_seq_len").intValue(), s.imageSeqLen());
                assertEquals(expected.get("num_tiles").intValue(), s.numTiles());
            }
            case Qwen2VlImageProcessor.Summary s -> {
                assertArrayEquals(shapeOf(expected.get("image_grid_thw")), s.gridThw());
                assertArrayEquals(shapeOf(expected.get("resized_hw")), new int[]{s.resizedHeight(), s.resizedWidth()});
            }
            case Gemma3ImageProcessor.Summary s -> assertEquals(expected.get("num_crops").get(0).intValue(), s.numCrops());
            case ClipImageProcessor.Summary s -> assertInstanceOf(ClipImageProcessor.class, processor);
        }
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            if (!(d <= worst)) {
                worst = d;
                worstAt = i;
            }
        }
        if (worst > TOLERANCE) {
            fail(what + ": max abs difference " + worst + " at flat index " + worstAt + " (expected "
                    + expected[worstAt] + ", got " + actual[worstAt] + ")");
        }
    }

    static int[] shapeOf(JsonNode list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i).intValue();
        }
        return out;
    }

    private static long[] unsigned(byte[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] & 0xFF;
        }
        return out;
    }
}
