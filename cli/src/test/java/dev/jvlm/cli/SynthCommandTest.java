package dev.jvlm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jvlm.tensor.Parallel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SynthCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** --threads changes the shared pool for the whole JVM; later tests get it back as it was. */
    private final int threadsBefore = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threadsBefore);
    }

    private List<String> entries(Path folder) throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesTheSplitsAndTheirImages() throws IOException {
        Path out = dir.resolve("shapes");
        CliRunner run = CliRunner.run("synth", "--output", out.toString(), "--train", "8", "--val", "2", "--test", "3",
                "--seed", "9", "--image-size", "48", "--tasks", "qa,caption", "--threads", "2");

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("wrote " + out + ": 8 train, 2 val, 3 test examples (48x48 PNG, seed 9, tasks "
                + "color,count,position,existence,shape,size,caption)\n", run.err());
        assertEquals(List.of("images", "synth.json", "test.jsonl", "train.jsonl", "val.jsonl"), entries(out));
        assertEquals(13, entries(out.resolve("images")).size());
        List<String> train = Files.readAllLines(out.resolve("train.jsonl"));
        assertEquals(8, train.size());
        JsonNode caption = JSON.readTree(train.get(6));
        assertEquals("caption", caption.get("question_type").asText());
        assertEquals("Describe the image.", caption.at("/messages/0/content/1/text").asText());
        assertTrue(Files.isRegularFile(out.resolve(caption.at("/images/0").asText())));
    }

    @Test
    void sameArgumentsGiveTheSameFiles() throws IOException {
        for (String name : List.of("a", "b")) {
            assertEquals(0, CliRunner.run("synth", "--output", dir.resolve(name).toString(), "--test", "4", "--threads", "1").exitCode());
        }
        assertEquals(Files.readString(dir.resolve("a/test.jsonl")), Files.readString(dir.resolve("b/test.jsonl")));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/images/test_000003.png")), Files.readAllBytes(dir.resolve("b/images/test_000003.png")));
        assertEquals("", Files.readString(dir.resolve("a/train.jsonl")));
    }

    @Test
    void refusesToOverwriteAndLeavesTheDirectoryAsItWas() throws IOException {
        Path out = Files.createDirectory(dir.resolve("taken"));
        Files.writeString(out.resolve("keep.txt"), "mine");

        CliRunner run = CliRunner.run("synth", "--output", out.toString(), "--train", "5");

        assertEquals(1, run.exitCode());
        assertEquals("jvlm: " + out + " already exists and is not an empty directory; give a new output directory\n", run.err());
        assertEquals(List.of("keep.txt"), entries(out));
        assertEquals(List.of("taken"), entries(dir), "no partial directory is left");
    }

    @Test
    void badArgumentsAreOneLineErrorsAndWriteNothing() throws IOException {
        Path out = dir.resolve("out");
        assertError("jvlm: unknown task 'colour' in 'qa,colour'; expected a comma-separated list of qa, "
                + "color, count, position, existence, shape, size, caption, color_count, describe\n", "--output", out.toString(), "--train", "5", "--tasks", "qa,colour");
        assertError("jvlm: image size must be 32 to 1024 pixels, got 8\n", "--output", out.toString(), "--train", "5", "--image-size", "8");
        assertError("jvlm: the val split needs a non-negative number of examples, got -2\n", "--output", out.toString(), "--val", "-2");
        assertError("jvlm: nothing to generate: every split has 0 examples\n", "--output", out.toString());
        assertEquals(List.of(), entries(dir));
    }

    private static void assertError(String expected, String... args) {
        String[] full = Stream.concat(Stream.of("synth"), Stream.of(args)).toArray(String[]::new);
        CliRunner run = CliRunner.run(full);
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(expected, run.err());
    }
}
