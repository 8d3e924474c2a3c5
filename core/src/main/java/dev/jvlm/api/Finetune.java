package dev.jvlm.api;

import dev.jvlm.JvlmException;
import dev.jvlm.data.Collator;
import dev.jvlm.data.Dataset;
import dev.jvlm.data.DatasetSchema;
import dev.jvlm.data.Datasets;
import dev.jvlm.data.EncodedSample;
import dev.jvlm.data.SampleEncoder;
import dev.jvlm.data.SampleException;
import dev.jvlm.data.SkipLog;
import dev.jvlm.io.Checkpoint;
import dev.jvlm.io.Dirs;
import dev.jvlm.io.ModelLocator;
import dev.jvlm.io.ModelWriter;
import dev.jvlm.io.TrainableWeights;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.tensor.Tensor;
import dev.jvlm.train.LoraAdapter;
import dev.jvlm.train.LoraConfig;
import dev.jvlm.train.Recipe;
import dev.jvlm.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code jvlm finetune}: a recipe's data encoded with the model's own chat template and processor,
 * the model set up for LoRA or full fine-tuning, the training loop, and the result written as a PEFT
 * adapter ({@code output_dir/adapter}) or a full Hugging Face checkpoint ({@code output_dir/model}).
 */
public final class Finetune {
    private Finetune() {
    }

    /** What a run did: the step metrics, the skipped samples and where the result is. */
    public record Result(List<Trainer.StepMetrics> steps, Double finalValidationLoss, SkipLog skipped, int trainSamples, Path output) {
    }

    public static Result run(Recipe recipe, boolean resume, Trainer.Listener listener) {
        Path dir = ModelLocator.resolve(recipe.model());
        SampleEncoder encoder = SampleEncoder.load(dir);
        Collator collator = encoder.collator(recipe.maxLength());
        SkipLog skipped = new SkipLog();
        EncodedExamples train = examples(recipe.train(), encoder, collator, skipped);
        EncodedExamples validation = recipe.validation() == null ? null : examples(recipe.validation(), encoder, collator, skipped);

        Trainer.Trainable trainable;
        LanguageModel lm;
        LoraAdapter adapter = null;
        TrainableWeights[] full = new TrainableWeights[1];
        if (recipe.lora() != null) {
            LoraAdapter.Attached attached = LoraAdapter.create(dir, loraConfig(recipe.lora(), dir), recipe.options().seed());
            lm = attached.model();
            adapter = attached.adapter();
            trainable = new Trainer.Trainable.Lora(adapter);
        } else {
            Predicate<String> trains = trainedKeys(recipe.freeze());
            lm = LanguageModel.load(dir, mapped -> full[0] = new TrainableWeights(mapped, trains));
            if (full[0].trainable().isEmpty()) {
                throw new JvlmException(recipe.source() + ": the freeze settings leave nothing to train");
            }
            trainable = new Trainer.Trainable.Full(full[0].trainable());
        }
        lm.decoder().setActivationCheckpointing(recipe.activationCheckpointing());
        Trainer trainer = new Trainer(lm, trainable, recipe.options(), train, validation, recipe.outputDir(), listener);
        List<Trainer.StepMetrics> steps = trainer.run(resume);
        Double val = validation == null ? null : trainer.validationLoss();
        Path output;
        if (adapter != null) {
            output = recipe.outputDir().resolve("adapter");
            adapter.save(output);
        } else {
            output = recipe.outputDir().resolve("model");
            deleteIfExists(output);
            ModelWriter.writeDerived(output, dir, full[0].base().with(full[0].trainable()));
        }
        return new Result(steps, val, skipped, train.size(), output);
    }

    private static void deleteIfExists(Path dir) {
        try {
            Dirs.deleteTree(dir);
        } catch (java.io.IOException e) {
            throw new JvlmException(dir + ": cannot replace the previous result (" + e.getMessage() + ")", e);
        }
    }

    private static LoraConfig loraConfig(Recipe.Lora l, Path dir) {
        var t = l.targetModules();
        List<String> names = null;
        String regex = null;
        if (t == null || t.isNull()) {
            regex = Grads.defaultTargets(dir);
        } else if (t.isTextual()) {
            regex = t.asText();
        } else if (t.isArray()) {
            names = new ArrayList<>();
            for (var n : t) {
                names.add(n.asText());
            }
        } else {
            throw new JvlmException("peft.target_modules must be a list of module names or a regular expression");
        }
        return new LoraConfig(l.r(), l.alpha(), l.dropout(), l.rslora(), names, regex, null, null, l.modulesToSave(), dir.toString());
    }

    /**
     * Which checkpoint keys full fine-tuning trains: everything but the frozen parts. The vision tower
     * is {@code vision_tower.*}, {@code *.vision_model.*} or {@code visual.*} (Qwen's merger excepted);
     * the projector {@code multi_modal_projector.*}, {@code *.connector.*} or {@code visual.merger.*}.
     */
    public static Predicate<String> trainedKeys(Recipe.Freeze freeze) {
        return key -> {
            boolean projector = key.contains("multi_modal_projector.") || key.contains("connector.") || key.contains("visual.merger.");
            boolean vision = !projector && (key.contains("vision_tower.") || key.contains("vision_model.") || key.startsWith("visual.")
                    || key.startsWith("model.visual."));
            boolean embeddings = key.contains("embed_tokens");
            if (projector) {
                return !freeze.projector();
            }
            if (vision) {
                return !freeze.visionTower();
            }
            if (embeddings && freeze.embeddings()) {
                return false;
            }
            return !freeze.languageModel();
        };
    }

    static DatasetSchema schema(String format) {
        return switch (format) {
            case "rdr-items" -> DatasetSchema.CAPTIONS;
            case "cord-v2" -> DatasetSchema.DONUT_JSON;
            case "jsonl", "llava-instruct-mix" -> DatasetSchema.CONVERSATIONS;
            default -> null;
        };
    }

    /**
     * A dataset as trainer examples. Each sample is encoded once up front to know its length (samples
     * the collator drops are counted), keeping only its ids; the image tensors are made again when the
     * trainer asks for the sample, so memory holds token ids, not pixels.
     */
    static EncodedExamples examples(Recipe.Data data, SampleEncoder encoder, Collator collator, SkipLog skipped) {
        Dataset dataset = Datasets.read(data.path(), schema(data.format()));
        skipped.addAll(dataset.skipped());
        int limit = data.limit() > 0 ? Math.min(data.limit(), dataset.samples().size()) : dataset.samples().size();
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < limit; i++) {
            try {
                collator.fit(encoder.encode(dataset.samples().get(i)));
                kept.add(i);
            } catch (SampleException e) {
                skipped.skip(e.getMessage());
            }
        }
        if (kept.isEmpty()) {
            throw new JvlmException(data.path() + ": no usable sample (" + skipped.summary() + ")");
        }
        return new EncodedExamples(dataset, kept, encoder, collator);
    }

    record EncodedExamples(Dataset dataset, List<Integer> kept, SampleEncoder encoder, Collator collator) implements Trainer.Examples {
        @Override
        public int size() {
            return kept.size();
        }

        @Override
        public Trainer.Example get(int index) {
            EncodedSample s = collator.fit(encoder.encode(dataset.samples().get(kept.get(index))));
            Map<String, Tensor> images = s.images() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(Images.tensors(s.images()));
            if (s.tokenTypeIds() != null) {
                long[] types = new long[s.tokenTypeIds().length];
                for (int i = 0; i < types.length; i++) {
                    types[i] = s.tokenTypeIds()[i];
                }
                images.put("token_type_ids", Tensor.ofLongs(types, 1, types.length));
            }
            return new Trainer.Example(toLongs(s.inputIds()), toLongs(s.labels()), images);
        }

        private static long[] toLongs(int[] a) {
            long[] out = new long[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i];
            }
            return out;
        }
    }
}
