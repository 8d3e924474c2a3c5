package dev.jvlm.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.JvlmException;
import dev.jvlm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path dir;

    @Test
    void readsShardsThroughTheIndex() throws IOException {
        Safetensors.write(dir.resolve("model-00001-of-00002.safetensors"), Map.of("a", Tensor.of(new float[] {1, 2}, 2)), null);
        Safetensors.write(dir.resolve("model-00002-of-00002.safetensors"), Map.of("b", Tensor.of(new float[] {3, 4, 5, 6}, 2, 2)), null);
        Files.writeString(dir.resolve("model.safetensors.index.json"), """
                {"metadata": {"total_size": 24}, "weight_map": {"a": "model-00001-of-00002.safetensors",
                 "b": "model-00002-of-00002.safetensors"}}""");
        Checkpoint.Mapped c = Checkpoint.open(dir);
        assertEquals(2f, c.get("a", 2).getFloat(1));
        assertEquals(6f, c.get("b", 2, 2).getFloat(3));
        String wrongShape = assertThrows(JvlmException.class, () -> c.get("b", 4)).getMessage();
        assertTrue(wrongShape.endsWith("tensor \"b\" has shape [2, 2] but the config implies [4]"), wrongShape);
        String missing = assertThrows(JvlmException.class, () -> c.get("zzz", 1)).getMessage();
        assertTrue(missing.endsWith("checkpoint has no tensor \"zzz\""), missing);
    }

    @Test
    void indexPointingAtTheWrongShardIsAnError() throws IOException {
        Safetensors.write(dir.resolve("s1.safetensors"), Map.of("a", Tensor.zeros(2)), null);
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"b\": \"s1.safetensors\"}}");
        String m = assertThrows(JvlmException.class, () -> Checkpoint.open(dir)).getMessage();
        assertTrue(m.endsWith("tensor \"b\" is mapped to s1.safetensors, which does not contain it"), m);
    }

    @Test
    void directoryWithoutWeightsNamesWhatIsMissing() throws IOException {
        Files.writeString(dir.resolve("pytorch_model.bin"), "x");
        String m = assertThrows(JvlmException.class, () -> Checkpoint.open(dir)).getMessage();
        assertTrue(m.contains("no model.safetensors (only pytorch_model.bin"), m);
    }
}
