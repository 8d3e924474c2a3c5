package dev.jvlm.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.JvlmException;
import dev.jvlm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Named weights that model files ask for by their Hugging Face names. Either the safetensors of a
 * model directory ({@link #open}) or freshly initialised random weights ({@link RandomWeights}),
 * which record what the model asked for so it can be written out as a checkpoint.
 */
public sealed interface Checkpoint permits Checkpoint.Mapped, RandomWeights, TrainableWeights {

    /** Where errors say the weights come from. */
    String source();

    boolean has(String name);

    /** The tensor called {@code name}, checked against the shape the config implies. */
    Tensor get(String name, int... shape);

    /** The tensor if present (shape-checked), else null. */
    default Tensor optional(String name, int... shape) {
        return has(name) ? get(name, shape) : null;
    }

    /**
     * The weights of a model directory: {@code model.safetensors}, or the shards named by
     * {@code model.safetensors.index.json}. Every shard is mapped; nothing is copied.
     */
    static Mapped open(Path dir) {
        Path index = dir.resolve("model.safetensors.index.json");
        Path single = dir.resolve("model.safetensors");
        Map<String, Tensor> all = new LinkedHashMap<>();
        if (Files.isRegularFile(index)) {
            JsonNode map = Json.read(index).get("weight_map");
            if (map == null || !map.isObject()) {
                throw new JvlmException(index + ": missing \"weight_map\" object");
            }
            Map<String, Safetensors.File> shards = new LinkedHashMap<>();
            for (var it = map.fields(); it.hasNext(); ) {
                var e = it.next();
                String shard = e.getValue().asText();
                Safetensors.File f = shards.computeIfAbsent(shard, s -> Safetensors.open(dir.resolve(s)));
                Tensor t = f.tensors().get(e.getKey());
                if (t == null) {
                    throw new JvlmException(index + ": tensor \"" + e.getKey() + "\" is mapped to " + shard + ", which does not contain it");
                }
                all.put(e.getKey(), t);
            }
        } else if (Files.isRegularFile(single)) {
            all.putAll(Safetensors.open(single).tensors());
        } else {
            List<Path> shards;
            try (Stream<Path> files = Files.list(dir)) {
                shards = files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            } catch (IOException e) {
                throw new JvlmException(dir + ": cannot list the model directory (" + e.getMessage() + ")", e);
            }
            if (shards.isEmpty()) {
                boolean pickle = Files.exists(dir.resolve("pytorch_model.bin")) || Files.exists(dir.resolve("pytorch_model.bin.index.json"));
                throw new JvlmException(dir + ": no model.safetensors" + (pickle
                        ? " (only pytorch_model.bin, a pickle format jvlm does not read; convert it to safetensors)" : ""));
            }
            for (Path p : shards) {
                all.putAll(Safetensors.open(p).tensors());
            }
        }
        return new Mapped(dir, all);
    }

    /** Tensors of mapped safetensors files. */
    record Mapped(Path dir, Map<String, Tensor> tensors) implements Checkpoint {
        @Override
        public String source() {
            return dir.toString();
        }

        public Set<String> names() {
            return tensors.keySet();
        }

        /** Every tensor in file order, with {@code replacements} in place of the stored ones they name. */
        public Map<String, Tensor> with(Map<String, Tensor> replacements) {
            Map<String, Tensor> all = new LinkedHashMap<>();
            tensors.forEach((name, t) -> all.put(name, replacements.getOrDefault(name, t)));
            return all;
        }

        @Override
        public boolean has(String name) {
            return tensors.containsKey(name);
        }

        /** The tensor called {@code name}, whatever its shape; a clear error when absent. */
        public Tensor get(String name) {
            Tensor t = tensors.get(name);
            if (t == null) {
                throw new JvlmException(dir + ": checkpoint has no tensor \"" + name + "\"");
            }
            return t;
        }

        @Override
        public Tensor get(String name, int... shape) {
            Tensor t = get(name);
            if (!Arrays.equals(t.shape(), shape)) {
                throw new JvlmException(dir + ": tensor \"" + name + "\" has shape " + Arrays.toString(t.shape())
                        + " but the config implies " + Arrays.toString(shape));
            }
            if (!t.dtype().isFloatingPoint()) {
                throw new JvlmException(dir + ": tensor \"" + name + "\" has dtype " + t.dtype() + ", expected F32, BF16 or F16");
            }
            return t;
        }
    }
}
