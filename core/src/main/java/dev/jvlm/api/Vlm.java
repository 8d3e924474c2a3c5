package dev.jvlm.api;

import dev.jvlm.JvlmException;
import dev.jvlm.generate.ContinuousBatch;
import dev.jvlm.generate.Generator;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.generate.Sequence;
import dev.jvlm.io.ModelLocator;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.Prefill;
import dev.jvlm.tensor.Tensor;
import dev.jvlm.text.ChatTemplate;
import dev.jvlm.text.Tokenizer;
import dev.jvlm.train.LoraAdapter;
import dev.jvlm.vision.ImageProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A vision-language (or text) model ready to chat: the weights, tokenizer, chat template and image
 * processor of one model directory. The Java API behind {@code jvlm chat}:
 *
 * <pre>{@code
 * Vlm vlm = Vlm.load("HuggingFaceTB/SmolVLM-256M-Instruct");
 * Conversation chat = new Conversation().user("What is in this image?", List.of(Images.load(path)));
 * Vlm.Reply reply = vlm.reply(chat, vlm.defaultSampling(), System.out::print);
 * }</pre>
 */
public final class Vlm {
    private final Path dir;
    private final LanguageModel model;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final ImageProcessor processor;

    private Vlm(Path dir, LanguageModel model, Tokenizer tokenizer, ChatTemplate template, ImageProcessor processor) {
        this.dir = dir;
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        this.processor = processor;
    }

    /** Loads a model directory or a Hub id from the local Hugging Face cache. */
    public static Vlm load(String model) {
        return load(model, null);
    }

    /** Loads a model with a PEFT LoRA adapter applied ({@code adapter} null: none). */
    public static Vlm load(String model, Path adapter) {
        Path dir = ModelLocator.resolve(model);
        LanguageModel lm = adapter == null ? LanguageModel.load(dir) : LoraAdapter.load(dir, adapter, false).model();
        Tokenizer tokenizer = Tokenizer.load(dir);
        ChatTemplate template = ChatTemplate.load(dir);
        ImageProcessor processor = lm.hasVision() && Files.isRegularFile(dir.resolve("preprocessor_config.json"))
                ? Images.processor(dir) : null;
        return new Vlm(dir, lm, tokenizer, template, processor);
    }

    public Path dir() {
        return dir;
    }

    public LanguageModel model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** generation_config.json's sampling (greedy when it does not ask to sample). */
    public SamplingParams defaultSampling() {
        return SamplingParams.fromGenerationConfig(model.generationConfig());
    }

    /** An assistant reply: its text (stop strings and stop tokens excluded) and token accounting. */
    public record Reply(String text, int promptTokens, int completionTokens, Generator.FinishReason finishReason) {
    }

    /**
     * This model with Gemma 3's pan-and-scan crops switched on for every image (as
     * {@code do_pan_and_scan=True}); a clear error for other families.
     */
    public Vlm withPanAndScan() {
        if (processor == null) {
            throw new JvlmException(dir + ": model_type \"" + model.modelType() + "\" takes no images");
        }
        return new Vlm(dir, model, tokenizer, template, Images.withPanAndScan(processor));
    }

    /**
     * The prompt ids of a conversation, ending with the assistant's turn opening; the processor tensors
     * of its images and videos go to {@code imageTensorsOut}.
     */
    public long[] promptIds(Conversation chat, Map<String, Tensor> imageTensorsOut) {
        String prompt = template.render(chat.messages(), true, Map.of());
        if (!chat.images().isEmpty()) {
            if (processor == null) {
                throw new JvlmException(dir + ": model_type \"" + model.modelType() + "\" takes no images");
            }
            Images.Processed processed = Images.process(processor, chat.images());
            prompt = Images.expandPrompt(prompt, Images.templatePlaceholder(model.modelType()), processed.summaries());
            imageTensorsOut.putAll(processed.tensors());
        }
        if (!chat.videos().isEmpty()) {
            Videos.Processed processed = Videos.process(Videos.processor(dir, model.modelType()), chat.videos(), chat.videoSampling());
            prompt = Videos.expandPrompt(prompt, processed.summaries());
            imageTensorsOut.putAll(processed.tensors());
        }
        // Templates that write the BOS token themselves must not get a second one from the tokenizer.
        String bos = tokenizer.bosId() == null ? null : tokenizer.token(tokenizer.bosId());
        boolean templateHasBos = bos != null && prompt.startsWith(bos);
        return Arrays.stream(tokenizer.encode(prompt, !templateHasBos)).asLongStream().toArray();
    }

    /**
     * The text model's input for prompt ids and their image tensors (from {@link #promptIds}): image
     * features encoded and merged, as a batch of one for {@link ContinuousBatch#add}.
     */
    public Prefill prefill(long[] ids, Map<String, Tensor> imageTensors) {
        return model.prefill(new long[][] {ids}, null, imageTensors.isEmpty() ? null : imageTensors);
    }

    /** The text of generated ids, special tokens left out (what stop strings are matched against). */
    public String decodeGenerated(long[] ids) {
        return tokenizer.decode(Arrays.stream(ids).mapToInt(v -> (int) v).toArray(), true);
    }

    /** Generates the assistant's reply to the conversation, streaming text pieces to {@code onText}. */
    public Reply reply(Conversation chat, SamplingParams params, Consumer<String> onText) {
        Map<String, Tensor> imageTensors = new java.util.LinkedHashMap<>();
        long[] ids = promptIds(chat, imageTensors);
        TextStream stream = new TextStream(tokenizer, params.stopStrings());
        ContinuousBatch batch = new ContinuousBatch(model);
        Sequence s = batch.add(ids, prefill(ids, imageTensors), params, id -> {
            String piece = stream.push(id);
            if (!piece.isEmpty() && onText != null) {
                onText.accept(piece);
            }
        }, this::decodeGenerated);
        while (batch.size() > 0) {
            batch.step();
        }
        String rest = stream.finish();
        if (!rest.isEmpty() && onText != null) {
            onText.accept(rest);
        }
        return new Reply(stream.fullText(), ids.length, s.completionTokens(), s.finishReason());
    }
}
