package dev.jvlm.train;

import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.ModelWriter;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;

/** Folds a LoRA adapter into its base model and writes a full Hugging Face checkpoint ({@code jvlm merge}). */
public final class Merge {
    private Merge() {
    }

    /** Writes {@code output}: every tensor of the base checkpoint, adapted weights replaced by W + scaling·BA. */
    public static int write(Path model, Path adapterDir, Path output) {
        LanguageModel lm = LanguageModel.load(model);
        LoraAdapter adapter = LoraAdapter.load(adapterDir, lm.decoder().linears(), false);
        Map<String, Tensor> merged = adapter.mergedWeights();
        ModelWriter.writeDerived(output, model, Checkpoint.open(model).with(merged));
        return merged.size();
    }
}
