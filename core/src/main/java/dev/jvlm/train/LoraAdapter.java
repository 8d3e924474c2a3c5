package dev.jvlm.train;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import dev.jvlm.io.Safetensors;
import dev.jvlm.nn.Linear;
import dev.jvlm.nn.Lora;
import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.MatMul;
import dev.jvlm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A LoRA adapter attached to a model's linear layers, in PEFT's file format: {@code adapter_config.json}
 * and {@code adapter_model.safetensors} with keys {@code base_model.model.<module>.lora_A.weight}, where
 * {@code <module>} is the checkpoint key of the adapted weight without ".weight" — so an adapter
 * always carries the key layout of the checkpoint it was trained on.
 */
public final class LoraAdapter {
    static final String PREFIX = "base_model.model.";
    private final LoraConfig config;
    private final Map<String, Linear> adapted;

    private LoraAdapter(LoraConfig config, Map<String, Linear> adapted) {
        this.config = config;
        this.adapted = adapted;
    }

    public LoraConfig config() {
        return config;
    }

    /** The adapted modules by name. */
    public Map<String, Linear> modules() {
        return adapted;
    }

    /**
     * Attaches new trainable factors to every module the config targets, initialised as PEFT does:
     * A ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming-uniform with a = sqrt(5)), B = 0.
     *
     * @param dropoutRandom random source for LoRA dropout while training; null for none
     */
    public static LoraAdapter create(Map<String, Linear> modules, LoraConfig config, long seed, SplittableRandom dropoutRandom) {
        SplittableRandom init = new SplittableRandom(seed);
        Map<String, Linear> adapted = new LinkedHashMap<>();
        for (Map.Entry<String, Linear> e : modules.entrySet()) {
            if (!config.targets(e.getKey())) {
                continue;
            }
            Linear lin = e.getValue();
            int r = config.rankFor(e.getKey());
            float bound = (float) (1 / Math.sqrt(lin.inFeatures()));
            float[] a = new float[r * lin.inFeatures()];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (init.nextDouble(-bound, bound));
            }
            Tensor ta = Tensor.of(a, r, lin.inFeatures()).requireGrad();
            Tensor tb = Tensor.zeros(lin.outFeatures(), r).requireGrad();
            lin.setLora(new Lora(ta, tb, Lora.scaling(r, config.alphaFor(e.getKey()), config.useRslora()),
                    (float) config.dropout(), dropoutRandom));
            adapted.put(e.getKey(), lin);
        }
        if (adapted.isEmpty()) {
            throw new JvlmException("LoRA target_modules " + describeTargets(config) + " match no linear layer of the model (e.g. "
                    + modules.keySet().stream().findFirst().orElse("none") + ")");
        }
        return new LoraAdapter(config, adapted);
    }

    private static String describeTargets(LoraConfig c) {
        return c.targetRegex() != null ? "regex " + c.targetRegex() : c.targetModules().toString();
    }

    /** Loads an adapter directory and attaches it to {@code modules}; every adapter weight must find its module. */
    public static LoraAdapter load(Path dir, Map<String, Linear> modules, boolean trainable) {
        LoraConfig config = LoraConfig.read(dir.resolve("adapter_config.json"));
        Path weights = dir.resolve("adapter_model.safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new JvlmException(dir + ": no adapter_model.safetensors (adapter_model.bin, a pickle, is not read)");
        }
        Map<String, Tensor> tensors = Safetensors.open(weights).tensors();
        Map<String, Tensor[]> pairs = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String key = e.getKey();
            int slot = key.endsWith(".lora_A.weight") ? 0 : key.endsWith(".lora_B.weight") ? 1 : -1;
            if (slot < 0 || !key.startsWith(PREFIX)) {
                throw new JvlmException(weights + ": tensor \"" + key + "\" is not a LoRA weight (expected "
                        + PREFIX + "<module>.lora_A.weight / .lora_B.weight)");
            }
            String module = key.substring(PREFIX.length(), key.length() - ".lora_A.weight".length());
            pairs.computeIfAbsent(module, m -> new Tensor[2])[slot] = e.getValue();
        }
        Map<String, Linear> adapted = new LinkedHashMap<>();
        List<String> unmatched = new ArrayList<>();
        for (Map.Entry<String, Tensor[]> e : pairs.entrySet()) {
            Tensor[] ab = e.getValue();
            if (ab[0] == null || ab[1] == null) {
                throw new JvlmException(weights + ": module " + e.getKey() + " has only one of lora_A and lora_B");
            }
            Linear lin = modules.get(e.getKey());
            if (lin == null) {
                unmatched.add(e.getKey());
                continue;
            }
            // Training keeps float32 master copies; inference reads the file's tensors in place.
            Tensor a = trainable ? Tensor.of(ab[0].toF32().floats().clone(), ab[0].shape()).requireGrad() : ab[0];
            Tensor b = trainable ? Tensor.of(ab[1].toF32().floats().clone(), ab[1].shape()).requireGrad() : ab[1];
            int r = a.dim(0);
            lin.setLora(new Lora(a, b, Lora.scaling(r, config.alphaFor(e.getKey()), config.useRslora()), (float) config.dropout(), null));
            adapted.put(e.getKey(), lin);
        }
        if (!unmatched.isEmpty()) {
            adapted.values().forEach(l -> l.setLora(null));
            throw new JvlmException(weights + ": " + unmatched.size() + " adapter modules are not in the model, e.g. "
                    + unmatched.getFirst() + " (the model has e.g. " + modules.keySet().stream().findFirst().orElse("none")
                    + "); was the adapter trained on a checkpoint with another key layout?");
        }
        return new LoraAdapter(config, adapted);
    }

    /** The adapter's tensors by file key ({@code base_model.model.<module>.lora_A.weight}). */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        adapted.forEach((name, lin) -> {
            out.put(PREFIX + name + ".lora_A.weight", lin.lora().a());
            out.put(PREFIX + name + ".lora_B.weight", lin.lora().b());
        });
        return out;
    }

    /** Writes adapter_config.json and adapter_model.safetensors into {@code dir} (created if needed). */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".adapter_config", ".json.partial");
            Files.writeString(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(config.toJson()));
            Safetensors.write(dir.resolve("adapter_model.safetensors"), tensors(), Map.of("format", "pt"));
            Files.move(tmp, dir.resolve("adapter_config.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new JvlmException(dir + ": cannot write the adapter (" + e.getMessage() + ")", e);
        }
    }

    /**
     * New dropout random sources for every adapted layer, derived from {@code seed} (one per step keeps
     * resumes exact); null switches dropout off, as in evaluation.
     */
    public void reseedDropout(Long seed) {
        int i = 0;
        for (Linear lin : adapted.values()) {
            Lora l = lin.lora();
            if (l.dropoutP() > 0) {
                lin.setLora(new Lora(l.a(), l.b(), l.scaling(), l.dropoutP(), seed == null ? null : new SplittableRandom(seed * 31 + i)));
            }
            i++;
        }
    }

    /** Removes the adapter from its modules. */
    public void detach() {
        adapted.values().forEach(l -> l.setLora(null));
    }

    /** {@code W + scaling · B A} for every adapted module, in the base weight's dtype, by checkpoint key. */
    public Map<String, Tensor> mergedWeights() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        adapted.forEach((name, lin) -> {
            Lora l = lin.lora();
            Tensor ba = MatMul.matmul(l.b().toF32(), l.a().toF32());
            Tensor w = lin.weight();
            float[] merged = new float[(int) w.numel()];
            float[] delta = ba.floats();
            for (int i = 0; i < merged.length; i++) {
                merged[i] = w.getFloat(i) + l.scaling() * delta[i];
            }
            Tensor m = Tensor.of(merged, w.shape());
            out.put(name + ".weight", w.dtype() == DType.F32 ? m : m.to(w.dtype()));
        });
        return out;
    }
}
