package dev.jvlm.train;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.Json;
import dev.jvlm.io.Safetensors;
import dev.jvlm.io.TrainableWeights;
import dev.jvlm.models.LanguageModel;
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
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A LoRA adapter attached to a model's linear layers, in PEFT's file format: {@code adapter_config.json}
 * and {@code adapter_model.safetensors} with keys {@code base_model.model.<module>.lora_A.weight}, where
 * {@code <module>} is the checkpoint key of the adapted weight without ".weight" — so an adapter
 * always carries the key layout of the checkpoint it was trained on. With {@code modules_to_save} the
 * file also holds whole modules, {@code base_model.model.<checkpoint key>} ({@link SavedModules}); such an
 * adapter is created or loaded together with its model ({@link #create(Path, LoraConfig, long)},
 * {@link #load(Path, Path, boolean)}), because the saved modules replace weights as the model loads.
 */
public final class LoraAdapter {
    static final String PREFIX = "base_model.model.";
    private final LoraConfig config;
    private final Map<String, Linear> adapted;
    private final Map<String, Tensor> saved;

    private LoraAdapter(LoraConfig config, Map<String, Linear> adapted, Map<String, Tensor> saved) {
        this.config = config;
        this.adapted = adapted;
        this.saved = saved;
    }

    /** A model loaded with an adapter attached. */
    public record Attached(LanguageModel model, LoraAdapter adapter) {
    }

    public LoraConfig config() {
        return config;
    }

    /** The adapted modules by name. */
    public Map<String, Linear> modules() {
        return adapted;
    }

    /** The modules_to_save weights the model reads, by checkpoint key (empty without modules_to_save). */
    public Map<String, Tensor> savedWeights() {
        return Collections.unmodifiableMap(saved);
    }

    /**
     * Loads the model in {@code modelDir} and attaches a new adapter (see
     * {@link #create(Map, LoraConfig, long, SplittableRandom)}); the modules the config's
     * {@code modules_to_save} selects become float32 copies that train with it.
     */
    public static Attached create(Path modelDir, LoraConfig config, long seed) {
        if (config.modulesToSave().isEmpty()) {
            LanguageModel lm = LanguageModel.load(modelDir);
            return new Attached(lm, create(lm.decoder().linears(), config, seed, null));
        }
        SavedModules[] selection = new SavedModules[1];
        Checkpoint.Mapped[] original = new Checkpoint.Mapped[1];
        TrainableWeights[] weights = new TrainableWeights[1];
        LanguageModel lm = LanguageModel.load(modelDir, mapped -> {
            original[0] = mapped;
            selection[0] = SavedModules.select(config.modulesToSave(), mapped);
            return weights[0] = new TrainableWeights(mapped, selection[0]::covers);
        });
        checkDisjoint(lm.decoder().linears().keySet().stream().filter(config::targets).toList(), selection[0]);
        Map<String, Tensor> saved = selection[0].bind(lm, original[0], weights[0], Map.of(), true);
        return new Attached(lm, new LoraAdapter(config, attachNew(lm.decoder().linears(), config, seed, null), saved));
    }

    private static void checkDisjoint(List<String> loraModules, SavedModules selection) {
        for (String name : loraModules) {
            if (selection.covers(name + ".weight")) {
                throw new JvlmException("module " + name + " is both a LoRA target and part of modules_to_save "
                        + selection.modules() + "; train it one way");
            }
        }
    }

    /**
     * Attaches new trainable factors to every module the config targets, initialised as PEFT does:
     * A ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming-uniform with a = sqrt(5)), B = 0.
     *
     * @param dropoutRandom random source for LoRA dropout while training; null for none
     */
    public static LoraAdapter create(Map<String, Linear> modules, LoraConfig config, long seed, SplittableRandom dropoutRandom) {
        if (!config.modulesToSave().isEmpty()) {
            throw new JvlmException("modules_to_save " + config.modulesToSave() + " replaces weights as the model loads; "
                    + "create the adapter with its model directory");
        }
        return new LoraAdapter(config, attachNew(modules, config, seed, dropoutRandom), Map.of());
    }

    private static Map<String, Linear> attachNew(Map<String, Linear> modules, LoraConfig config, long seed,
                                                 SplittableRandom dropoutRandom) {
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
        return adapted;
    }

    private static String describeTargets(LoraConfig c) {
        return c.targetRegex() != null ? "regex " + c.targetRegex() : c.targetModules().toString();
    }

    /** An adapter directory as read: its config, its LoRA pairs by module, and its saved-module tensors by checkpoint key. */
    private record AdapterFile(Path weights, LoraConfig config, Map<String, Tensor[]> pairs, Map<String, Tensor> saved) {
    }

    private static AdapterFile read(Path dir) {
        LoraConfig config = LoraConfig.read(dir.resolve("adapter_config.json"));
        Path weights = dir.resolve("adapter_model.safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new JvlmException(dir + ": no adapter_model.safetensors (adapter_model.bin, a pickle, is not read)");
        }
        Map<String, Tensor[]> pairs = new LinkedHashMap<>();
        Map<String, Tensor> saved = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : Safetensors.open(weights).tensors().entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(PREFIX)) {
                throw new JvlmException(weights + ": tensor \"" + key + "\" does not start with " + PREFIX);
            }
            int slot = key.endsWith(".lora_A.weight") ? 0 : key.endsWith(".lora_B.weight") ? 1 : -1;
            if (slot >= 0) {
                String module = key.substring(PREFIX.length(), key.length() - ".lora_A.weight".length());
                pairs.computeIfAbsent(module, m -> new Tensor[2])[slot] = e.getValue();
            } else if (!config.modulesToSave().isEmpty()) {
                saved.put(key.substring(PREFIX.length()), e.getValue());
            } else {
                throw new JvlmException(weights + ": tensor \"" + key + "\" is not a LoRA weight (expected "
                        + PREFIX + "<module>.lora_A.weight / .lora_B.weight) and adapter_config.json lists no modules_to_save");
            }
        }
        for (Map.Entry<String, Tensor[]> e : pairs.entrySet()) {
            if (e.getValue()[0] == null || e.getValue()[1] == null) {
                throw new JvlmException(weights + ": module " + e.getKey() + " has only one of lora_A and lora_B");
            }
        }
        return new AdapterFile(weights, config, pairs, saved);
    }

    /**
     * Loads an adapter directory without modules_to_save and attaches it to {@code modules}; every
     * adapter weight must find its module.
     */
    public static LoraAdapter load(Path dir, Map<String, Linear> modules, boolean trainable) {
        AdapterFile file = read(dir);
        if (!file.config().modulesToSave().isEmpty()) {
            throw new JvlmException(dir + ": the adapter saves whole modules " + file.config().modulesToSave()
                    + ", which replace weights as the model loads; load it together with its model");
        }
        return new LoraAdapter(file.config(), attach(file, modules, trainable), Map.of());
    }

    /**
     * Loads the model in {@code modelDir} with the adapter in {@code adapterDir}: the modules it saves
     * replace the model's (untying the embeddings where PEFT's copies untie them), then its LoRA pairs
     * attach. Every module the config's modules_to_save selects must be in the file, and every file
     * tensor must find its place, as PEFT requires; with {@code trainable} the adapter's weights are
     * float32 copies that collect gradients.
     */
    public static Attached load(Path modelDir, Path adapterDir, boolean trainable) {
        AdapterFile file = read(adapterDir);
        if (file.config().modulesToSave().isEmpty()) {
            LanguageModel lm = LanguageModel.load(modelDir);
            return new Attached(lm, new LoraAdapter(file.config(), attach(file, lm.decoder().linears(), trainable), Map.of()));
        }
        SavedModules[] selection = new SavedModules[1];
        Checkpoint.Mapped[] original = new Checkpoint.Mapped[1];
        Checkpoint[] loaded = new Checkpoint[1];
        LanguageModel lm = LanguageModel.load(modelDir, mapped -> {
            original[0] = mapped;
            selection[0] = SavedModules.select(file.config().modulesToSave(), mapped);
            Map<String, Tensor> replacements = replacements(file, selection[0], mapped);
            Checkpoint.Mapped withSaved = new Checkpoint.Mapped(mapped.dir(), mapped.with(replacements));
            return loaded[0] = trainable ? new TrainableWeights(withSaved, selection[0]::covers) : withSaved;
        });
        checkDisjoint(List.copyOf(file.pairs().keySet()), selection[0]);
        Map<String, Tensor> saved = selection[0].bind(lm, original[0], loaded[0], file.saved(), trainable);
        return new Attached(lm, new LoraAdapter(file.config(), attach(file, lm.decoder().linears(), trainable), saved));
    }

    /** The file's saved-module tensors by checkpoint key, checked: exactly the selected modules' keys, each with its weight's shape. */
    private static Map<String, Tensor> replacements(AdapterFile file, SavedModules selection, Checkpoint.Mapped base) {
        for (String key : file.saved().keySet()) {
            if (!selection.covers(key)) {
                throw new JvlmException(file.weights() + ": tensor \"" + PREFIX + key + "\" is neither a LoRA weight nor part of "
                        + "the modules_to_save " + file.config().modulesToSave() + " (selected in the model: " + selection.modules() + ")");
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String key : selection.keys()) {
            Tensor t = file.saved().get(key);
            if (t == null) {
                throw new JvlmException(file.weights() + ": modules_to_save " + file.config().modulesToSave() + " selects "
                        + key + ", but the file has no \"" + PREFIX + key + "\"; was the adapter trained on a checkpoint with another key layout?");
            }
            if (base.has(key)) {
                Tensor stored = base.get(key);
                if (!Arrays.equals(stored.shape(), t.shape())) {
                    throw new JvlmException(file.weights() + ": \"" + PREFIX + key + "\" has shape " + Arrays.toString(t.shape())
                            + " but the model's " + key + " has " + Arrays.toString(stored.shape()));
                }
                out.put(key, t);
            }
        }
        return out;
    }

    /** Attaches the file's LoRA pairs to {@code modules}; nothing stays attached when one has no module. */
    private static Map<String, Linear> attach(AdapterFile file, Map<String, Linear> modules, boolean trainable) {
        LoraConfig config = file.config();
        Map<String, Linear> adapted = new LinkedHashMap<>();
        List<String> unmatched = new ArrayList<>();
        for (Map.Entry<String, Tensor[]> e : file.pairs().entrySet()) {
            Tensor[] ab = e.getValue();
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
            throw new JvlmException(file.weights() + ": " + unmatched.size() + " adapter modules are not in the model, e.g. "
                    + unmatched.getFirst() + " (the model has e.g. " + modules.keySet().stream().findFirst().orElse("none")
                    + "); was the adapter trained on a checkpoint with another key layout?");
        }
        return adapted;
    }

    /**
     * The adapter's tensors by file key: {@code base_model.model.<module>.lora_A.weight} / {@code lora_B}
     * and the saved modules' {@code base_model.model.<checkpoint key>}.
     */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        adapted.forEach((name, lin) -> {
            out.put(PREFIX + name + ".lora_A.weight", lin.lora().a());
            out.put(PREFIX + name + ".lora_B.weight", lin.lora().b());
        });
        saved.forEach((key, t) -> out.put(PREFIX + key, t));
        return out;
    }

    /**
     * What trains, by file key: the tensors that collect gradients (saved-module weights the model
     * never reads are stored unchanged and do not train).
     */
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors().forEach((key, t) -> {
            if (t.requiresGrad()) {
                out.put(key, t);
            }
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

    /** Removes the LoRA factors from their modules (saved modules stay: the model was loaded with them). */
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
