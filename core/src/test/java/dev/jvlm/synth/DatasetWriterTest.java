package dev.jvlm.synth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetWriterTest {
    private static final SynthDataset DATASET = new SynthDataset(new SynthConfig(5, 48, EnumSet.allOf(QuestionType.class)));
    private static final Map<Split, Integer> COUNTS = Map.of(Split.TRAIN, 20, Split.VAL, 3, Split.TEST, 5);

    @TempDir
    Path dir;

    private static List<Path> tree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.map(root::relativize).sorted().toList();
        }
    }

    @Test
    void writesConversationsImagesAndManifest() throws IOException {
        Path out = dir.resolve("data");
        DATASET.write(out, COUNTS);

        assertEquals(20 + 3 + 5, Files.list(out.resolve("images")).count());
        for (Split split : Split.values()) {
            List<String> lines = Files.readAllLines(out.resolve(split.key() + ".jsonl"));
            assertEquals(COUNTS.get(split), lines.size());
            for (int i = 0; i < lines.size(); i++) {
                Example example = DATASET.example(split, i);
                JsonNode line = Json.MAPPER.readTree(lines.get(i));
                assertEquals(example.question(), line.at("/messages/0/content/1/text").asText());
                assertEquals("image", line.at("/messages/0/content/0/type").asText());
                assertEquals("assistant", line.at("/messages/1/role").asText());
                assertEquals(example.answer(), line.at("/messages/1/content/0/text").asText());
                assertEquals(example.answer(), line.get("answer").asText());
                assertEquals(example.type().key(), line.get("question_type").asText());
                // Image paths are relative to the JSONL file.
                BufferedImage image = ImageIO.read(out.resolve(line.at("/images/0").asText()).toFile());
                assertEquals(48, image.getWidth());
                assertArrayEquals(example.scene().render(48).getRGB(0, 0, 48, 48, null, 0, 48), image.getRGB(0, 0, 48, 48, null, 0, 48));
            }
        }
        JsonNode manifest = Json.read(out.resolve("synth.json"));
        assertEquals(5, manifest.get("seed").asLong());
        assertEquals(48, manifest.get("image_size").asInt());
        assertEquals("color", manifest.at("/tasks/0").asText());
        assertEquals(3, manifest.at("/splits/val").asInt());
        assertEquals(List.of(Path.of("data")), Files.list(dir).map(dir::relativize).toList(), "no partial directory is left");
    }

    @Test
    void sameSeedWritesIdenticalFiles() throws IOException {
        DATASET.write(dir.resolve("a"), COUNTS);
        new SynthDataset(new SynthConfig(5, 48, EnumSet.allOf(QuestionType.class))).write(dir.resolve("b"), COUNTS);
        List<Path> files = tree(dir.resolve("a"));
        assertEquals(files, tree(dir.resolve("b")));
        for (Path file : files) {
            if (Files.isRegularFile(dir.resolve("a").resolve(file))) {
                assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(file)), Files.readAllBytes(dir.resolve("b").resolve(file)), file.toString());
            }
        }
    }

    @Test
    void aSplitRegeneratedAloneIsTheSame() throws IOException {
        DATASET.write(dir.resolve("all"), COUNTS);
        DATASET.write(dir.resolve("test"), Map.of(Split.TEST, 5));
        assertEquals(Files.readAllLines(dir.resolve("all/test.jsonl")), Files.readAllLines(dir.resolve("test/test.jsonl")));
        assertEquals(List.of(), Files.readAllLines(dir.resolve("test/train.jsonl")));
        assertArrayEquals(Files.readAllBytes(dir.resolve("all/images/test_000004.png")), Files.readAllBytes(dir.resolve("test/images/test_000004.png")));
    }

    @Test
    void anEmptyOutputDirectoryIsFilled() throws IOException {
        Path out = Files.createDirectory(dir.resolve("empty"));
        DATASET.write(out, Map.of(Split.VAL, 1));
        assertTrue(Files.exists(out.resolve("val.jsonl")));
    }

    @Test
    void aNonEmptyOutputIsLeftAlone() throws IOException {
        Path out = Files.createDirectory(dir.resolve("taken"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        JvlmException e = assertThrows(JvlmException.class, () -> DATASET.write(out, COUNTS));
        assertTrue(e.getMessage().contains("already exists and is not an empty directory"), e.getMessage());
        assertEquals(List.of(Path.of(""), Path.of("notes.txt")), tree(out));
        assertEquals(1, Files.list(dir).count());
    }

    @Test
    void aFailureHalfwayLeavesNothingBehind() {
        Path out = dir.resolve("data");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DatasetWriter.write(DATASET, COUNTS, out, example -> {
            if (example.split() == Split.VAL) {
                throw new IllegalStateException("disk full");
            }
            return DATASET.png(example);
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals(List.of(Path.of("")), assertDoesNotThrowTree(dir), "neither the output nor a partial directory remains");
    }

    private static List<Path> assertDoesNotThrowTree(Path root) {
        try {
            return tree(root);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anOutputUnderAFileIsAClearError() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        JvlmException e = assertThrows(JvlmException.class, () -> DATASET.write(file.resolve("data"), COUNTS));
        assertEquals("cannot write the dataset to " + file.resolve("data") + ": " + file + " exists and is not a directory", e.getMessage());
    }

    @Test
    void countsMustBeSensible() {
        JvlmException negative = assertThrows(JvlmException.class, () -> DATASET.write(dir.resolve("x"), Map.of(Split.TRAIN, -1)));
        assertEquals("the train split needs a non-negative number of examples, got -1", negative.getMessage());
        JvlmException none = assertThrows(JvlmException.class, () -> DATASET.write(dir.resolve("x"), Map.of(Split.TRAIN, 0)));
        assertEquals("nothing to generate: every split has 0 examples", none.getMessage());
        assertEquals(List.of(Path.of("")), assertDoesNotThrowTree(dir));
    }
}
