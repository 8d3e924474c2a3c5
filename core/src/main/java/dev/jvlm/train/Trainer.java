package dev.jvlm.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.JvlmException;
import dev.jvlm.io.Dirs;
import dev.jvlm.io.Json;
import dev.jvlm.io.Safetensors;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.Prefill;
import dev.jvlm.tensor.Autograd;
import dev.jvlm.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Supervised fine-tuning: the loss on label tokens, summed over an optimizer step's micro-batches and
 * divided by that step's label-token count, AdamW/SGD with a warmup schedule, global-norm clipping,
 * periodic validation, a metrics log, and checkpoints from which a killed run resumes exactly: the
 * data order, dropout masks and schedule are functions of (seed, step), and the weights and optimizer
 * state are saved with the step.
 */
public final class Trainer {
    /** One tokenised training sample: ids, labels (-100 = no loss) and its image tensors (may be empty). */
    public record Example(long[] inputIds, long[] labels, Map<String, Tensor> images) {
    }

    /** Samples by index, so that a seeded permutation can address them and a run can resume anywhere. */
    public interface Examples {
        int size();

        Example get(int index);
    }

    /** What changes during training and how it is saved: a LoRA adapter or full weights. */
    public sealed interface Trainable {
        Map<String, Tensor> parameters();

        /** Writes the trained weights in their user-facing format into {@code dir}. */
        void save(Path dir);

        /** The file in a saved directory that holds {@link #parameters()} under the same names. */
        Path weightsFile(Path dir);

        /** LoRA: every layer's adapter and the modules_to_save; full: every trained checkpoint tensor. */
        record Lora(LoraAdapter adapter) implements Trainable {
            @Override
            public Map<String, Tensor> parameters() {
                return adapter.parameters();
            }

            @Override
            public void save(Path dir) {
                adapter.save(dir);
            }

            @Override
            public Path weightsFile(Path dir) {
                return dir.resolve("adapter_model.safetensors");
            }
        }

        record Full(Map<String, Tensor> weights) implements Trainable {
            @Override
            public Map<String, Tensor> parameters() {
                return weights;
            }

            @Override
            public void save(Path dir) {
                Safetensors.write(weightsFile(dir), weights, Map.of("format", "pt"));
            }

            @Override
            public Path weightsFile(Path dir) {
                return dir.resolve("model.safetensors");
            }
        }
    }

    /** The optimisation settings of a run. */
    public record Options(int maxSteps, int batchSize, int gradAccumulation, String optimizer, double lr, double weightDecay,
                          double beta1, double beta2, double eps, double momentum, String schedule, int warmupSteps,
                          double minLrRatio, double maxGradNorm, long seed, int evalEvery, int saveEvery, int keepCheckpoints) {
        public Options {
            if (maxSteps <= 0 || batchSize <= 0 || gradAccumulation <= 0) {
                throw new JvlmException("training needs max_steps, batch_size and grad_accumulation > 0 (got "
                        + maxSteps + ", " + batchSize + ", " + gradAccumulation + ")");
            }
            if (!(lr > 0)) {
                throw new JvlmException("learning rate must be > 0, got " + lr);
            }
        }

        int examplesPerStep() {
            return batchSize * gradAccumulation;
        }
    }

    /** One optimizer step's numbers, as logged. */
    public record StepMetrics(int step, double loss, double lr, double gradNorm, int labelTokens, int tokens, double seconds) {
    }

    /** Receives progress (for a progress bar) and metrics. */
    public interface Listener {
        void onStep(StepMetrics m, int maxSteps);

        void onValidation(int step, double loss);

        void onCheckpoint(int step, Path dir);
    }

    private final LanguageModel model;
    private final Trainable trainable;
    private final Options options;
    private final Examples train;
    private final Examples validation;
    private final Path outputDir;
    private final Listener listener;
    private final Optimizer optimizer;
    private final Schedule schedule;

    public Trainer(LanguageModel model, Trainable trainable, Options options, Examples train, Examples validation, Path outputDir,
                   Listener listener) {
        if (train.size() == 0) {
            throw new JvlmException("the training set is empty");
        }
        this.model = model;
        this.trainable = trainable;
        this.options = options;
        this.train = train;
        this.validation = validation;
        this.outputDir = outputDir;
        this.listener = listener;
        this.optimizer = Optimizer.create(options.optimizer(), options.weightDecay(), options.beta1(), options.beta2(),
                options.eps(), options.momentum());
        this.schedule = new Schedule(options.schedule(), options.lr(), options.warmupSteps(), options.maxSteps(), options.minLrRatio());
    }

    /** The training-set index used at a global example position: a fresh seeded permutation per epoch. */
    int exampleAt(long position) {
        int n = train.size();
        int epoch = (int) (position / n);
        int[] order = permutation(n, options.seed() * 1_000_003L + epoch);
        return order[(int) (position % n)];
    }

    static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Runs from the latest checkpoint in the output directory when {@code resume}, else from step 0. */
    public List<StepMetrics> run(boolean resume) {
        int start = resume ? restoreLatest() : 0;
        if (!resume && Files.exists(outputDir.resolve("metrics.jsonl"))) {
            throw new JvlmException(outputDir + ": holds a previous run (metrics.jsonl); resume it with --resume or choose a new output");
        }
        List<StepMetrics> history = new ArrayList<>();
        List<Tensor> params = new ArrayList<>(trainable.parameters().values());
        for (int step = start; step < options.maxSteps(); step++) {
            long t0 = System.nanoTime();
            if (trainable instanceof Trainable.Lora l) {
                l.adapter().reseedDropout(options.seed() * 7_919L + step);
            }
            List<Example> batch = new ArrayList<>();
            long first = (long) step * options.examplesPerStep();
            for (int i = 0; i < options.examplesPerStep(); i++) {
                batch.add(train.get(exampleAt(first + i)));
            }
            int labelTokens = 0;
            int tokens = 0;
            for (Example e : batch) {
                labelTokens += Losses.labelTokens(new long[][] {e.labels()});
                tokens += e.inputIds().length;
            }
            double loss = 0;
            for (Example e : batch) {
                Tensor l = loss(e, labelTokens);
                loss += l.getFloat(0);
                if (labelTokens > 0) {
                    Autograd.backward(l);
                }
            }
            double norm = Optimizer.clipGradNorm(params, options.maxGradNorm());
            double lr = schedule.lr(step);
            if (labelTokens > 0) {
                optimizer.step(trainable.parameters(), lr);
            }
            params.forEach(p -> p.setGrad(null));
            StepMetrics m = new StepMetrics(step + 1, loss, lr, norm, labelTokens, tokens, (System.nanoTime() - t0) / 1e9);
            history.add(m);
            log(m);
            if (listener != null) {
                listener.onStep(m, options.maxSteps());
            }
            boolean last = step + 1 == options.maxSteps();
            if (validation != null && validation.size() > 0 && options.evalEvery() > 0
                    && ((step + 1) % options.evalEvery() == 0 || last)) {
                double v = validationLoss();
                logValidation(step + 1, v);
                if (listener != null) {
                    listener.onValidation(step + 1, v);
                }
            }
            if ((options.saveEvery() > 0 && (step + 1) % options.saveEvery() == 0) || last) {
                Path dir = saveCheckpoint(step + 1);
                if (listener != null) {
                    listener.onCheckpoint(step + 1, dir);
                }
            }
        }
        return history;
    }

    private Tensor loss(Example e, int denominator) {
        long[][] ids = {e.inputIds()};
        Prefill prefill = model.prefill(ids, null, e.images() == null || e.images().isEmpty() ? null : e.images());
        Tensor logits = model.forward(prefill, false).logits();
        return Losses.causalLm(logits, new long[][] {e.labels()}, denominator);
    }

    /** Mean loss per label token over the validation set, without gradients. */
    public double validationLoss() {
        if (trainable instanceof Trainable.Lora l) {
            l.adapter().reseedDropout(null);
        }
        return Autograd.noGrad(() -> {
            double sum = 0;
            int count = 0;
            for (int i = 0; i < validation.size(); i++) {
                Example e = validation.get(i);
                int n = Losses.labelTokens(new long[][] {e.labels()});
                if (n > 0) {
                    sum += loss(e, 1).getFloat(0);
                    count += n;
                }
            }
            return count == 0 ? 0.0 : sum / count;
        });
    }

    private void log(StepMetrics m) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("step", m.step());
        o.put("loss", m.loss());
        o.put("lr", m.lr());
        o.put("grad_norm", m.gradNorm());
        o.put("label_tokens", m.labelTokens());
        o.put("tokens", m.tokens());
        o.put("seconds", m.seconds());
        o.put("tokens_per_second", m.tokens() / Math.max(1e-9, m.seconds()));
        appendLine(o);
    }

    private void logValidation(int step, double loss) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("step", step);
        o.put("val_loss", loss);
        appendLine(o);
    }

    private void appendLine(ObjectNode o) {
        try {
            Files.createDirectories(outputDir);
            Files.writeString(outputDir.resolve("metrics.jsonl"), o + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new JvlmException(outputDir + ": cannot write metrics.jsonl (" + e.getMessage() + ")", e);
        }
    }

    /**
     * {@code checkpoint-<step>/}: the trained weights as users load them (adapter or model), the
     * optimizer state, and trainer_state.json. Written under a temporary name, then renamed.
     */
    private Path saveCheckpoint(int step) {
        Path dir = outputDir.resolve("checkpoint-" + step);
        Path tmp = outputDir.resolve(".checkpoint-" + step + ".partial");
        try {
            Dirs.deleteTree(tmp);
            Files.createDirectories(tmp);
            trainable.save(tmp);
            Safetensors.write(tmp.resolve("optimizer.safetensors"), optimizer.state(), Map.of("optimizer", options.optimizer()));
            ObjectNode state = Json.MAPPER.createObjectNode();
            state.put("step", step);
            state.put("seed", options.seed());
            state.put("max_steps", options.maxSteps());
            state.put("examples_seen", (long) step * options.examplesPerStep());
            Files.writeString(tmp.resolve("trainer_state.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(state));
            Dirs.deleteTree(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            pruneCheckpoints();
            return dir;
        } catch (IOException e) {
            throw new JvlmException(dir + ": cannot write the checkpoint (" + e.getMessage() + ")", e);
        }
    }

    private void pruneCheckpoints() throws IOException {
        if (options.keepCheckpoints() <= 0) {
            return;
        }
        List<Path> all = checkpoints();
        for (int i = 0; i < all.size() - options.keepCheckpoints(); i++) {
            Dirs.deleteTree(all.get(i));
        }
    }

    private List<Path> checkpoints() throws IOException {
        if (!Files.isDirectory(outputDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(outputDir)) {
            return s.filter(p -> p.getFileName().toString().matches("checkpoint-\\d+") && Files.isDirectory(p))
                    .sorted(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(11))))
                    .toList();
        }
    }

    /** Loads the latest checkpoint's weights and optimizer state; returns its step (0 when there is none). */
    private int restoreLatest() {
        try {
            List<Path> all = checkpoints();
            if (all.isEmpty()) {
                return 0;
            }
            Path dir = all.getLast();
            JsonNode state = Json.read(dir.resolve("trainer_state.json"));
            if (state.path("seed").asLong() != options.seed()) {
                throw new JvlmException(dir + ": was trained with seed " + state.path("seed").asLong() + ", the recipe says "
                        + options.seed() + "; resuming would not reproduce the run");
            }
            Map<String, Tensor> saved = Safetensors.open(trainable.weightsFile(dir)).tensors();
            for (Map.Entry<String, Tensor> e : trainable.parameters().entrySet()) {
                Tensor s = saved.get(e.getKey());
                if (s == null || s.numel() != e.getValue().numel()) {
                    throw new JvlmException(dir + ": checkpoint does not hold trainable tensor " + e.getKey()
                            + " of the current setup; was the recipe changed?");
                }
                float[] dst = e.getValue().floats();
                for (int i = 0; i < dst.length; i++) {
                    dst[i] = s.getFloat(i);
                }
            }
            Map<String, Tensor> opt = new LinkedHashMap<>(Safetensors.open(dir.resolve("optimizer.safetensors")).tensors());
            optimizer.load(opt);
            // Metrics written after this checkpoint belong to the interrupted attempt: drop them.
            truncateMetrics(state.path("step").asInt());
            return state.path("step").asInt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void truncateMetrics(int step) throws IOException {
        Path log = outputDir.resolve("metrics.jsonl");
        if (!Files.exists(log)) {
            return;
        }
        List<String> kept = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (!line.isBlank() && Json.parse(line, log.toString()).path("step").asInt() <= step) {
                kept.add(line);
            }
        }
        Files.write(log, kept);
    }

}
