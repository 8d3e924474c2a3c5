package dev.jvlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.JvlmException;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.io.Json;
import dev.jvlm.io.RandomWeights;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.Ops;
import dev.jvlm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path tmp;

    static final String CONFIG = """
            {"model_type": "llama", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
             "num_key_value_heads": 2, "intermediate_size": 64, "vocab_size": 40}""";

    static LanguageModel model(RandomWeights w) {
        return LanguageModel.create(new ConfigNode(Json.parse(CONFIG, "config"), "config"), w);
    }

    /** Counting task: after "1 x" the model must continue x+1, x+2, x+3. */
    /** A listener that kills the run (throws) once step {@code lastStep} has finished, as a crash would. */
    static Trainer.Listener killAt(int lastStep) {
        return new Trainer.Listener() {
            @Override
            public void onStep(Trainer.StepMetrics m, int maxSteps) {
                if (m.step() == lastStep) {
                    throw new IllegalStateException("killed");
                }
            }

            @Override
            public void onValidation(int step, double loss) {
            }

            @Override
            public void onCheckpoint(int step, Path dir) {
            }
        };
    }

    static Trainer.Examples counting(int n, int offset) {
        return new Trainer.Examples() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public Trainer.Example get(int i) {
                long x = 2 + (i + offset) % 30;
                long[] ids = {1, x, x + 1, x + 2, x + 3};
                long[] labels = {Ops.IGNORE_INDEX, Ops.IGNORE_INDEX, x + 1, x + 2, x + 3};
                return new Trainer.Example(ids, labels, Map.of());
            }
        };
    }

    static Trainer.Options options(int steps, String optimizer, double lr) {
        return new Trainer.Options(steps, 2, 2, optimizer, lr, 0.01, 0.9, 0.999, 1e-8, 0.9, "cosine", 2, 0.1, 1.0, 17, 5, 2, 0);
    }

    static LoraAdapter lora(LanguageModel lm, double dropout) {
        LoraConfig cfg = new LoraConfig(4, 8, dropout, false, List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                "up_proj", "down_proj"), null, null, null, null, null);
        return LoraAdapter.create(lm.decoder().linears(), cfg, 3, null);
    }

    @Test
    void loraTrainingLowersHeldOutLossAndWritesPeftCheckpoints() throws IOException {
        LanguageModel lm = model(new RandomWeights(1, 0.1, DType.F32));
        LoraAdapter adapter = lora(lm, 0.05);
        Trainer trainer = new Trainer(lm, new Trainer.Trainable.Lora(adapter), options(30, "adamw", 2e-2), counting(24, 0),
                counting(6, 100), tmp.resolve("run"), null);
        double before = trainer.validationLoss();
        List<Trainer.StepMetrics> history = trainer.run(false);
        double after = trainer.validationLoss();
        assertEquals(30, history.size());
        assertTrue(after < 0.5 * before, "held-out loss " + before + " -> " + after);
        assertTrue(Files.isRegularFile(tmp.resolve("run/checkpoint-30/adapter_config.json")));
        assertTrue(Files.isRegularFile(tmp.resolve("run/checkpoint-30/adapter_model.safetensors")));
        List<String> lines = Files.readAllLines(tmp.resolve("run/metrics.jsonl"));
        assertEquals(30 + 6, lines.size(), "a line per step and per validation (every 5 steps)");
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"val_loss\"")));
        // The saved adapter reproduces the trained model's logits.
        LanguageModel fresh = model(new RandomWeights(1, 0.1, DType.F32));
        LoraAdapter.load(tmp.resolve("run/checkpoint-30"), fresh.decoder().linears(), false);
        adapter.reseedDropout(null);
        long[][] ids = {{1, 9, 10, 11}};
        Tensor a = lm.forward(ids, null, false).logits();
        Tensor b = fresh.forward(ids, null, false).logits();
        for (int i = 0; i < a.numel(); i++) {
            assertEquals(a.getFloat(i), b.getFloat(i), 1e-5f);
        }
    }

    @Test
    void killedRunResumesToTheSameLossCurve() throws IOException {
        Trainer.Options opts = options(7, "adamw", 3e-3);
        LanguageModel lm = model(new RandomWeights(2, 0.1, DType.F32));
        List<Trainer.StepMetrics> straight = new Trainer(lm, new Trainer.Trainable.Lora(lora(lm, 0.1)), opts, counting(10, 0), null,
                tmp.resolve("a"), null).run(false);

        LanguageModel lm2 = model(new RandomWeights(2, 0.1, DType.F32));
        Trainer.Listener killAtFive = killAt(5);
        assertThrows(IllegalStateException.class, () -> new Trainer(lm2, new Trainer.Trainable.Lora(lora(lm2, 0.1)), opts,
                counting(10, 0), null, tmp.resolve("b"), killAtFive).run(false));
        assertTrue(Files.isDirectory(tmp.resolve("b/checkpoint-4")));
        assertFalse(Files.exists(tmp.resolve("b/checkpoint-6")));

        LanguageModel lm3 = model(new RandomWeights(2, 0.1, DType.F32));
        List<Trainer.StepMetrics> resumed = new Trainer(lm3, new Trainer.Trainable.Lora(lora(lm3, 0.1)), opts, counting(10, 0), null,
                tmp.resolve("b"), null).run(true);
        assertEquals(3, resumed.size(), "steps 5, 6 and 7 after checkpoint 4");
        for (int i = 0; i < 3; i++) {
            assertEquals(straight.get(4 + i).loss(), resumed.get(i).loss(), 0.0, "step " + (5 + i));
        }
        List<String> a = Files.readAllLines(tmp.resolve("a/metrics.jsonl")).stream().map(l -> l.replaceAll(",\"seconds\".*", "")).toList();
        List<String> b = Files.readAllLines(tmp.resolve("b/metrics.jsonl")).stream().map(l -> l.replaceAll(",\"seconds\".*", "")).toList();
        assertEquals(a, b, "the resumed log equals the uninterrupted one");
    }

    @Test
    void fullFineTuningWithActivationRecomputation() {
        RandomWeights w = new RandomWeights(3, 0.1, DType.F32);
        LanguageModel lm = model(w);
        lm.decoder().setActivationCheckpointing(true);
        Map<String, Tensor> params = new java.util.LinkedHashMap<>();
        w.tensors().forEach((k, t) -> params.put(k, t.requireGrad()));
        Trainer t = new Trainer(lm, new Trainer.Trainable.Full(params), options(12, "adamw", 3e-3), counting(12, 0), counting(4, 3),
                tmp.resolve("full"), null);
        double before = t.validationLoss();
        List<Trainer.StepMetrics> history = t.run(false);
        double after = t.validationLoss();
        assertTrue(after < before, "loss falls: " + before + " -> " + after + " " + java.util.Arrays.toString(history.stream().mapToDouble(Trainer.StepMetrics::loss).toArray()));
        assertTrue(Files.isRegularFile(tmp.resolve("full/checkpoint-12/model.safetensors")));
    }

    @Test
    void stepWithoutLabelTokensChangesNothingAndIsNotNaN() {
        LanguageModel lm = model(new RandomWeights(4, 0.1, DType.F32));
        LoraAdapter adapter = lora(lm, 0);
        Trainer.Examples unlabelled = new Trainer.Examples() {
            @Override
            public int size() {
                return 3;
            }

            @Override
            public Trainer.Example get(int i) {
                return new Trainer.Example(new long[] {1, 2, 3}, new long[] {-100, -100, -100}, Map.of());
            }
        };
        float before = adapter.tensors().values().iterator().next().getFloat(0);
        List<Trainer.StepMetrics> h = new Trainer(lm, new Trainer.Trainable.Lora(adapter), options(2, "adamw", 1e-2), unlabelled, null,
                tmp.resolve("u"), null).run(false);
        assertEquals(0.0, h.get(0).loss());
        assertEquals(before, adapter.tensors().values().iterator().next().getFloat(0));
        JvlmException again = assertThrows(JvlmException.class, () -> new Trainer(lm, new Trainer.Trainable.Lora(adapter),
                options(2, "adamw", 1e-2), unlabelled, null, tmp.resolve("u"), null).run(false));
        assertTrue(again.getMessage().contains("holds a previous run"), again.getMessage());
    }
}
