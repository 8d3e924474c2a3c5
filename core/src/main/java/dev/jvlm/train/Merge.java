package dev.jvlm.train;

import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.ModelWriter;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.TextDecoder;
import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Folds a LoRA adapter into its base model and writes a full Hugging Face checkpoint ({@code jvlm merge}). */
public final class Merge {
    private Merge() {
    }

    /**
     * Writes {@code output}: every tensor of the base checkpoint, adapted weights replaced by W + scaling·BA
     * and saved modules by the adapter's weights, each in the base tensor's dtype. Where the config ties
     * the output projection to the embeddings but the adapter gave it a weight of its own (a saved
     * {@code lm_head} or {@code embed_tokens}, or LoRA on {@code lm_head}), the checkpoint gets that
     * weight as {@code lm_head.weight} and {@code tie_word_embeddings: false}, so that it computes what
     * the adapter computes. Returns how many stored weights differ from the base.
     */
    public static int write(Path model, Path adapterDir, Path output) {
        LoraAdapter.Attached attached = LoraAdapter.load(model, adapterDir, false);
        LoraAdapter adapter = attached.adapter();
        Checkpoint.Mapped base = Checkpoint.open(model);
        Map<String, Tensor> replacements = new LinkedHashMap<>(adapter.savedWeights());
        replacements.putAll(adapter.mergedWeights());
        TextDecoder decoder = attached.model().decoder();
        String headKey = decoder.lmHead().name() + ".weight";
        boolean untie = attached.model().config().tieWordEmbeddings()
                && (decoder.lmHead().weight() != decoder.embedTokens().weight() || decoder.lmHead().lora() != null);
        Map<String, Tensor> stored = new LinkedHashMap<>();
        replacements.forEach((key, t) -> {
            if (base.has(key)) {
                stored.put(key, t.to(base.get(key).dtype()));
            }
        });
        Map<String, Tensor> tensors = base.with(stored);
        if (untie) {
            DType embedType = base.get(decoder.embedTokens().name() + ".weight").dtype();
            tensors.put(headKey, replacements.getOrDefault(headKey, decoder.lmHead().weight()).to(embedType));
            stored.put(headKey, tensors.get(headKey));
        }
        ModelWriter.writeDerived(output, model, tensors, untie);
        return stored.size();
    }
}
