package dev.jvlm.api;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.TrainableWeights;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.tensor.Autograd;
import dev.jvlm.tensor.Tensor;
import dev.jvlm.train.LoraAdapter;
import dev.jvlm.train.LoraConfig;
import dev.jvlm.train.Losses;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The loss of one labelled example and its gradient with respect to what trains ({@code jvlm grads}). */
public final class Grads {
    private Grads() {
    }

    /** What trains: every weight, a new LoRA adapter (with whole modules beside it), or an existing adapter's weights. */
    public sealed interface Mode {
        record Full() implements Mode {
        }

        record NewLora(int r, double alpha, String targets, boolean rslora, List<String> modulesToSave) implements Mode {
        }

        record Adapter(Path dir) implements Mode {
        }
    }

    /**
     * {@code loss} [1], the {@code logits} it was computed from, and {@code grad.<name>}: checkpoint keys
     * (full) or adapter file keys (LoRA, saved modules included). Image inputs of the spec go through the
     * vision side, whose weights train too in full mode.
     */
    public static Map<String, Tensor> run(Path modelDir, ForwardSpec spec, Mode mode) {
        if (spec.labels() == null) {
            throw new JvlmException("the input spec has no \"labels\"; grads needs them (-100 marks positions without loss)");
        }
        TrainableWeights[] full = new TrainableWeights[1];
        LoraAdapter.Attached attached = switch (mode) {
            case Mode.Full f -> new LoraAdapter.Attached(LanguageModel.load(modelDir, mapped -> {
                full[0] = new TrainableWeights(mapped, name -> true);
                return full[0];
            }), null);
            case Mode.NewLora l -> LoraAdapter.create(modelDir, loraConfig(l, modelDir), 0);
            case Mode.Adapter a -> LoraAdapter.load(modelDir, a.dir(), true);
        };
        LanguageModel lm = attached.model();
        Tensor logits = lm.forward(lm.prefill(spec.inputIds(), spec.attentionMask(), spec.imageInputs()), false).logits();
        Tensor loss = Losses.causalLm(logits, spec.labels(), Losses.labelTokens(spec.labels()));
        Autograd.backward(loss);
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("loss", loss);
        out.put("logits", logits);
        if (attached.adapter() != null) {
            attached.adapter().tensors().forEach((key, t) -> out.put("grad." + key, gradOrZeros(t)));
        } else {
            Checkpoint.Mapped base = full[0].base();
            for (String name : base.names()) {
                Tensor t = full[0].trainable().get(name);
                out.put("grad." + name, t == null ? Tensor.zeros(base.get(name).shape()) : gradOrZeros(t));
            }
        }
        return out;
    }

    private static Tensor gradOrZeros(Tensor t) {
        return t.grad() != null ? t.grad() : Tensor.zeros(t.shape());
    }

    /**
     * LoRA settings from flags. {@code targets}: null for the default (every linear layer of the
     * language model, not lm_head, as NeMo's recipes); names separated by commas, matched as PEFT
     * matches a list; anything else is a regular expression matched in full.
     */
    static LoraConfig loraConfig(Mode.NewLora l, Path modelDir) {
        String targets = l.targets();
        List<String> names = null;
        String regex;
        if (targets == null) {
            regex = defaultTargets(modelDir);
        } else if (targets.matches("[A-Za-z0-9_.]+(,[A-Za-z0-9_.]+)*")) {
            names = List.of(targets.split(","));
            regex = null;
        } else {
            regex = targets;
        }
        return new LoraConfig(l.r(), l.alpha(), 0, l.rslora(), names, regex, null, null, l.modulesToSave(), null);
    }

    /** A regex naming exactly the decoder layers' linear modules of the language model in {@code modelDir}. */
    public static String defaultTargets(Path modelDir) {
        String prefix = LanguageModel.textPrefix(Checkpoint.open(modelDir));
        // Checkpoint prefixes hold only letters, digits, '_' and '.', so escaping the dots is enough.
        return prefix.replace(".", "\\.") + "layers\\.\\d+\\.(self_attn|mlp)\\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)";
    }
}
