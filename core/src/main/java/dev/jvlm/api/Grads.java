package dev.jvlm.api;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.TrainableWeights;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.nn.Linear;
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

    /** What trains: every weight, a new LoRA adapter, or an existing adapter's weights. */
    public sealed interface Mode {
        record Full() implements Mode {
        }

        record NewLora(int r, double alpha, String targets, boolean rslora) implements Mode {
        }

        record Adapter(Path dir) implements Mode {
        }
    }

    /**
     * {@code loss} [1], the {@code logits} it was computed from, and {@code grad.<name>}: checkpoint keys
     * (full) or adapter file keys (LoRA). Image inputs of the spec go through the vision side, whose
     * weights train too in full mode.
     */
    public static Map<String, Tensor> run(Path modelDir, ForwardSpec spec, Mode mode) {
        if (spec.labels() == null) {
            throw new JvlmException("the input spec has no \"labels\"; grads needs them (-100 marks positions without loss)");
        }
        TrainableWeights[] full = new TrainableWeights[1];
        LanguageModel lm = LanguageModel.load(modelDir, mode instanceof Mode.Full ? mapped -> {
            full[0] = new TrainableWeights(mapped, name -> true);
            return full[0];
        } : null);
        LoraAdapter adapter = switch (mode) {
            case Mode.Full f -> null;
            case Mode.NewLora l -> LoraAdapter.create(lm.decoder().linears(), loraConfig(l, lm), 0, null);
            case Mode.Adapter a -> LoraAdapter.load(a.dir(), lm.decoder().linears(), true);
        };
        Tensor logits = lm.forward(lm.prefill(spec.inputIds(), spec.attentionMask(), spec.imageInputs()), false).logits();
        Tensor loss = Losses.causalLm(logits, spec.labels(), Losses.labelTokens(spec.labels()));
        Autograd.backward(loss);
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("loss", loss);
        out.put("logits", logits);
        if (adapter != null) {
            adapter.tensors().forEach((key, t) -> out.put("grad." + key, gradOrZeros(t)));
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
    static LoraConfig loraConfig(Mode.NewLora l, LanguageModel lm) {
        String targets = l.targets();
        if (targets == null) {
            return new LoraConfig(l.r(), l.alpha(), 0, l.rslora(), null, defaultTargets(lm.decoder().linears()), null, null, null, null);
        }
        if (targets.matches("[A-Za-z0-9_.]+(,[A-Za-z0-9_.]+)*")) {
            return new LoraConfig(l.r(), l.alpha(), 0, l.rslora(), List.of(targets.split(",")), null, null, null, null, null);
        }
        return new LoraConfig(l.r(), l.alpha(), 0, l.rslora(), null, targets, null, null, null, null);
    }

    /** A regex naming exactly the decoder layers' linear modules of this checkpoint's language model. */
    public static String defaultTargets(Map<String, Linear> linears) {
        String first = linears.keySet().iterator().next();
        String prefix = first.substring(0, first.indexOf("layers."));
        // Checkpoint prefixes hold only letters, digits, '_' and '.', so escaping the dots is enough.
        return prefix.replace(".", "\\.") + "layers\\.\\d+\\.(self_attn|mlp)\\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)";
    }
}
