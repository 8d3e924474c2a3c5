package dev.jvlm.cli;

import static dev.jvlm.models.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.io.Safetensors;
import dev.jvlm.models.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuntimeCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void everyCommandTakesHelp() {
        for (String command : Main.commandLine().getSubcommands().keySet()) {
            if (command.equals("help")) {
                continue;
            }
            CliRunner r = CliRunner.run(command, "--help");
            assertEquals(0, r.exitCode(), command + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: jvlm " + command), command + ": " + r.out());
        }
        assertTrue(CliRunner.run("bench", "-h").out().contains("--decode=<decode>"));
    }

    @ParameterizedTest
    @CsvSource({"--decode, 1, --decode must be at least 2, got 1",
            "--prefill, 0, --prefill must be at least 1, got 0", "--training-text, -5, --training-text must be at least 1, got -5"})
    void theBenchmarkRefusesCountsItCannotTime(String flag, String value, String message) {
        CliRunner r = CliRunner.run("bench", flag, value);
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("jvlm: " + message), r.err());
    }

    @Test
    void forwardWritesReferenceOutputs() {
        Path model = TestData.resource("models/gemma3");
        Path out = tmp.resolve("out.safetensors");
        CliRunner r = CliRunner.run("forward", "--model", model.toString(), "--input",
                model.resolve("sample_text_input.json").toString(), "--output", out.toString(), "--threads", "1");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("logits F32[1,10,512]"), r.err());
        Safetensors.File got = Safetensors.open(out);
        Safetensors.File ref = Safetensors.open(model.resolve("reference_text.safetensors"));
        assertClose(got.get("logits"), ref.get("logits"), 1e-4, "logits");
        assertArrayEquals(ref.get("generated_ids").toLongs(), got.get("generated_ids").toLongs());
    }

    @Test
    void forwardWithAnImageWritesReferenceOutputs() {
        Path model = TestData.resource("models/llava_next");
        Path out = tmp.resolve("out.safetensors");
        CliRunner r = CliRunner.run("forward", "--model", model.toString(), "--input",
                model.resolve("sample_input.json").toString(), "--output", out.toString(), "--threads", "2");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("image_features F32[4,16,64]"), r.err());
        Safetensors.File got = Safetensors.open(out);
        Safetensors.File ref = Safetensors.open(model.resolve("reference.safetensors"));
        assertClose(got.get("logits"), ref.get("logits"), 1e-4, "logits");
        assertClose(got.get("image_features"), ref.get("image_features"), 1e-4, "image_features");
        assertArrayEquals(ref.get("generated_ids").toLongs(), got.get("generated_ids").toLongs());
    }

    /** The SmolVLM-shaped random checkpoint later benchmarks build: init, then a forward pass with an image. */
    @Test
    void initWritesALoadableIdefics3Checkpoint() throws IOException {
        Path ref = TestData.resource("models/idefics3");
        Path model = tmp.resolve("idefics3");
        CliRunner init = CliRunner.run("init", "--config", ref.resolve("config.json").toString(), "--output", model.toString(),
                "--dtype", "bf16");
        assertEquals(0, init.exitCode(), init.err());
        assertTrue(Safetensors.open(model.resolve("model.safetensors")).tensors().containsKey("model.connector.modality_projection.proj.weight"));
        Path spec = tmp.resolve("spec.json");
        Files.writeString(spec, Files.readString(ref.resolve("sample_input.json"))
                .replace("sample_input.safetensors", ref.resolve("sample_input.safetensors").toString()));
        Path out = tmp.resolve("o.safetensors");
        CliRunner fwd = CliRunner.run("forward", "--model", model.toString(), "--input", spec.toString(), "--output", out.toString());
        assertEquals(0, fwd.exitCode(), fwd.err());
        assertArrayEquals(new int[] {5, 4, 64}, Safetensors.open(out).get("image_features").shape());
    }

    @Test
    void modelAcceptsAHubIdFromTheLocalCache() throws IOException {
        Path repo = tmp.resolve("hub/models--jvlm-test--tiny-llava");
        Path snapshot = repo.resolve("snapshots/abc123");
        Files.createDirectories(snapshot);
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), "abc123\n");
        Path src = TestData.resource("models/llava");
        for (String f : new String[] {"config.json", "generation_config.json", "model.safetensors"}) {
            Files.copy(src.resolve(f), snapshot.resolve(f));
        }
        System.setProperty("jvlm.hubCache", tmp.resolve("hub").toString());
        try {
            CliRunner r = CliRunner.run("inspect", "--model", "jvlm-test/tiny-llava");
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(r.out().contains("model_type:   llava"), r.out());
            assertTrue(r.out().contains("2 layers, hidden 64, 4 heads (2 KV, head_dim 16), intermediate 128, vocab 512"), r.out());
            CliRunner missing = CliRunner.run("inspect", "--model", "jvlm-test/absent");
            assertEquals(1, missing.exitCode());
            assertTrue(missing.err().contains("is neither a directory nor in the Hugging Face cache"), missing.err());
        } finally {
            System.clearProperty("jvlm.hubCache");
        }
    }

    @Test
    void initWritesALoadableCheckpointAndInspectDescribesIt() throws IOException {
        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, """
                {"model_type": "qwen2", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "intermediate_size": 40, "vocab_size": 50, "eos_token_id": 7}""");
        Path model = tmp.resolve("m");
        CliRunner init = CliRunner.run("init", "--config", cfg.toString(), "--output", model.toString(), "--dtype", "bf16", "--seed", "3");
        assertEquals(0, init.exitCode(), init.err());
        CliRunner inspect = CliRunner.run("inspect", "--model", model.toString());
        assertEquals(0, inspect.exitCode(), inspect.err());
        assertTrue(inspect.out().contains("in BF16"), inspect.out());
        assertTrue(inspect.out().contains("eos [7]"), inspect.out());
        Path spec = tmp.resolve("spec.json");
        Files.writeString(spec, "{\"input_ids\": [[1, 2, 3], [0, 4, 5]], \"attention_mask\": [[1, 1, 1], [0, 1, 1]], \"generate\": 3}");
        Path out = tmp.resolve("o.safetensors");
        CliRunner fwd = CliRunner.run("forward", "--model", model.toString(), "--input", spec.toString(), "--output", out.toString());
        assertEquals(0, fwd.exitCode(), fwd.err());
        assertArrayEquals(new int[] {2, 3}, Safetensors.open(out).get("generated_ids").shape());
        CliRunner again = CliRunner.run("init", "--config", cfg.toString(), "--output", model.toString());
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("output directory exists and is not empty"), again.err());
    }

    @Test
    void badInputIsOneLineNamingTheProblemAndLeavesNoOutput() throws IOException {
        Path model = TestData.resource("models/llava");
        Path out = tmp.resolve("out.safetensors");
        Path spec = tmp.resolve("spec.json");

        Files.writeString(spec, "{\"input_ids\": [[1, 2], [3]]}");
        assertOneLineError(CliRunner.run("forward", "--model", model.toString(), "--input", spec.toString(), "--output", out.toString()),
                "\"input_ids\" is ragged");
        Files.writeString(spec, "{\"input_ids\": [1, 2, 999]}");
        assertOneLineError(CliRunner.run("forward", "--model", model.toString(), "--input", spec.toString(), "--output", out.toString()),
                "token id 999 at position 2 is outside the vocabulary [0, 512)");
        Files.writeString(spec, "{\"input_ids\": [1, 2,");
        assertOneLineError(CliRunner.run("forward", "--model", model.toString(), "--input", spec.toString(), "--output", out.toString()),
                "spec.json: invalid JSON");
        Files.writeString(spec, "{\"input_ids\": [1, 2], \"pixel_values\": [[1.5]]}");
        assertOneLineError(CliRunner.run("forward", "--model", model.toString(), "--input", spec.toString(), "--output", out.toString()),
                "\"pixel_values\" must be [images, 3, height, width], got [1, 1]");
        Files.writeString(spec, "{\"input_ids\": [1, 500, 2], \"pixel_values\": \"" + model.resolve("sample_input.safetensors") + "\"}");
        assertOneLineError(CliRunner.run("forward", "--model", model.toString(), "--input", spec.toString(), "--output", out.toString()),
                "the prompt has 1 image tokens (id 500) but the image inputs give 16 features");

        Files.writeString(spec, "{\"input_ids\": [1, 2]}");
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        Files.copy(model.resolve("config.json"), broken.resolve("config.json"));
        byte[] weights = Files.readAllBytes(model.resolve("model.safetensors"));
        Files.write(broken.resolve("model.safetensors"), java.util.Arrays.copyOf(weights, weights.length / 2));
        assertOneLineError(CliRunner.run("forward", "--model", broken.toString(), "--input", spec.toString(), "--output", out.toString()),
                "model.safetensors: tensor");
        Files.writeString(broken.resolve("config.json"), "{\"model_type\": \"mamba\"}");
        assertOneLineError(CliRunner.run("forward", "--model", broken.toString(), "--input", spec.toString(), "--output", out.toString()),
                "model_type \"mamba\" is not supported");
        Files.writeString(broken.resolve("config.json"), "{\"model_type\": \"llama\", \"hidden_size\": \"big\"}");
        assertOneLineError(CliRunner.run("forward", "--model", broken.toString(), "--input", spec.toString(), "--output", out.toString()),
                "config.json: \"hidden_size\" must be an integer, found \"big\"");
        assertOneLineError(CliRunner.run("forward", "--model", tmp.resolve("nope").toString(), "--input", spec.toString(), "--output", out.toString()),
                "nope does not exist");
        assertFalse(Files.exists(out), "no output file after a failure");

        CliRunner verbose = CliRunner.run("forward", "--verbose", "--model", tmp.resolve("nope").toString(), "--input", spec.toString(),
                "--output", out.toString());
        assertTrue(verbose.err().contains("\tat dev.jvlm"), "stack trace with --verbose");
    }

    private static void assertOneLineError(CliRunner r, String expected) {
        assertEquals(1, r.exitCode(), r.err());
        assertTrue(r.err().startsWith("jvlm: "), r.err());
        assertTrue(r.err().contains(expected), "expected \"" + expected + "\" in: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }
}
