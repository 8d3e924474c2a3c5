package dev.jvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.api.TrainingReference;
import dev.jvlm.io.Safetensors;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code jvlm grads} on the training references' labelled image examples, full and with their adapters. */
class GradsCommandTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"idefics3", "llava", "qwen2_vl"})
    void fullGradientsWithAnImageMatchHuggingFace(String arch) {
        Path out = tmp.resolve("full.safetensors");
        CliRunner r = CliRunner.run("grads", "--model", TrainingReference.model(arch).toString(), "--input",
                TrainingReference.dir(arch).resolve("input.json").toString(), "--output", out.toString(), "--threads", "2");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("gradients"), r.err());
        TrainingReference.assertFull(arch, Safetensors.open(out).tensors());
    }

    @ParameterizedTest
    @ValueSource(strings = {"idefics3", "llava", "qwen2_vl"})
    void adapterGradientsWithAnImageMatchPeft(String arch) {
        Path out = tmp.resolve("lora.safetensors");
        CliRunner r = CliRunner.run("grads", "--model", TrainingReference.model(arch).toString(), "--input",
                TrainingReference.dir(arch).resolve("input.json").toString(), "--adapter",
                TrainingReference.dir(arch).resolve("adapter").toString(), "--output", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("28 gradients"), r.err());
        TrainingReference.assertLora(arch, Safetensors.open(out).tensors());
    }
}
