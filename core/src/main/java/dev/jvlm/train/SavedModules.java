package dev.jvlm.train;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.RandomWeights;
import dev.jvlm.io.TrainableWeights;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.TextDecoder;
import dev.jvlm.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PEFT's {@code modules_to_save} resolved against one checkpoint: whole modules trained beside a LoRA
 * adapter and stored in its file.
 *
 * <p>PEFT (0.15) selects every module whose name ends with an entry, as a plain string suffix (so
 * {@code lm_head} selects {@code language_model.lm_head}), wraps it with a trainable copy, and saves the
 * copy's state dict with the wrapper's {@code modules_to_save.<adapter>.} removed:
 * {@code base_model.model.<module>.<parameter>}, which is {@code base_model.model.} and the checkpoint
 * key. Loading requires every such key. Module names here are the checkpoint keys' prefixes, plus the
 * output projection, which the model has even when the checkpoint stores no weight for it.
 *
 * <p>Tied embeddings: the copy is a separate tensor, so selecting {@code lm_head} or
 * {@code embed_tokens} unties them, as in PEFT: the selected one trains, the other keeps the base
 * weight (select both for two independent copies). A module holding both (e.g. {@code language_model})
 * also holds every decoder layer, so it always overlaps the LoRA targets, which is an error.
 */
final class SavedModules {
    private final List<String> modules;
    private final Set<String> keys;
    private final String headKey;

    private SavedModules(List<String> modules, Set<String> keys, String headKey) {
        this.modules = modules;
        this.keys = keys;
        this.headKey = headKey;
    }

    static final SavedModules NONE = new SavedModules(List.of(), Set.of(), null);

    /** The modules the entries select in {@code ckpt}; an entry that selects nothing, or nested selections, are errors. */
    static SavedModules select(List<String> entries, Checkpoint.Mapped ckpt) {
        if (entries.isEmpty()) {
            return NONE;
        }
        String headModule = LanguageModel.lmHeadName(ckpt);
        Set<String> names = new LinkedHashSet<>();
        for (String key : ckpt.names()) {
            for (int dot = key.indexOf('.'); dot > 0; dot = key.indexOf('.', dot + 1)) {
                names.add(key.substring(0, dot));
            }
        }
        names.add(headModule);
        List<String> selected = new ArrayList<>();
        for (String entry : entries) {
            if (entry.isEmpty()) {
                throw new JvlmException("modules_to_save has an empty entry");
            }
            List<String> hits = names.stream().filter(n -> n.endsWith(entry)).toList();
            if (hits.isEmpty()) {
                throw new JvlmException("modules_to_save entry \"" + entry + "\" selects no module of " + ckpt.dir()
                        + " (a module is selected when its name ends with the entry, e.g. " + headModule + ")");
            }
            hits.stream().filter(h -> !selected.contains(h)).forEach(selected::add);
        }
        for (String outer : selected) {
            for (String inner : selected) {
                if (inner.startsWith(outer + ".")) {
                    throw new JvlmException("modules_to_save selects both " + outer + " and " + inner
                            + ", which lies inside it; list only the outer module");
                }
            }
        }
        String headKey = headModule + ".weight";
        Set<String> keys = new LinkedHashSet<>();
        for (String key : ckpt.names()) {
            if (selected.stream().anyMatch(m -> key.startsWith(m + "."))) {
                keys.add(key);
            }
        }
        if (selected.stream().anyMatch(m -> headKey.startsWith(m + "."))) {
            keys.add(headKey);
        }
        return new SavedModules(List.copyOf(selected), keys, headKey);
    }

    List<String> modules() {
        return modules;
    }

    boolean isEmpty() {
        return modules.isEmpty();
    }

    /** Whether the checkpoint key belongs to a selected module. */
    boolean covers(String key) {
        return keys.contains(key);
    }

    /** The checkpoint keys the adapter file stores (the output projection's even where the checkpoint ties it). */
    Set<String> keys() {
        return keys;
    }

    /** The selected module that holds {@code key}, or null. */
    private String moduleOf(String key) {
        return modules.stream().filter(m -> key.startsWith(m + ".")).findFirst().orElse(null);
    }

    /**
     * Unties the output projection where the copies untie it (call it once LoRA targets are known to lie
     * outside the selected modules), then returns the saved modules' tensors by checkpoint key: the
     * copies the model now reads. With {@code trainable} these are float32 masters that collect
     * gradients (keys the model never reads keep their stored values, frozen).
     *
     * @param lm        the model, loaded from {@code loaded}
     * @param original  the base checkpoint, before any adapter tensor replaced a weight
     * @param loaded    what the model was loaded from: {@link TrainableWeights} when training, else
     *                  the base checkpoint with the adapter's tensors in place
     * @param fromFile  the adapter file's saved-module tensors by checkpoint key (empty for a new adapter)
     */
    Map<String, Tensor> bind(LanguageModel lm, Checkpoint.Mapped original, Checkpoint loaded, Map<String, Tensor> fromFile,
                             boolean trainable) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (isEmpty()) {
            return out;
        }
        TextDecoder decoder = lm.decoder();
        String embedKey = decoder.embedTokens().name() + ".weight";
        if (!headKey.equals(decoder.lmHead().name() + ".weight")) {
            throw new IllegalStateException("output projection " + decoder.lmHead().name() + " is not " + headKey);
        }
        boolean tied = lm.config().tieWordEmbeddings();
        String headModule = moduleOf(headKey);
        if (tied && (headModule != null || moduleOf(embedKey) != null)) {
            Tensor head = original.get(embedKey);
            if (headModule != null) {
                Tensor base = fromFile.getOrDefault(headKey, head);
                head = trainable ? master(base) : base;
            }
            decoder.untieLmHead(head);
        }
        for (String key : keys) {
            if (tied && key.equals(headKey)) {
                continue;
            }
            out.put(key, switch (loaded) {
                case TrainableWeights w -> w.trainable().containsKey(key) ? w.trainable().get(key) : frozen(w.base().get(key));
                case Checkpoint.Mapped m -> m.get(key);
                case RandomWeights r -> throw new IllegalStateException("saved modules bind to a checkpoint's weights, not random ones");
            });
        }
        if (tied && headModule != null) {
            out.put(headKey, decoder.lmHead().weight());
        }
        return out;
    }

    private static Tensor master(Tensor t) {
        return Tensor.of(t.toF32().floats().clone(), t.shape()).requireGrad();
    }

    private static Tensor frozen(Tensor t) {
        return Tensor.of(t.toF32().floats().clone(), t.shape());
    }
}
