package dev.jvlm.data;

import dev.jvlm.JvlmException;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.models.GenerationConfig;
import dev.jvlm.tensor.Ops;
import dev.jvlm.text.ChatTemplate;
import dev.jvlm.text.ChatTemplateException;
import dev.jvlm.text.Encoding;
import dev.jvlm.text.Tokenizer;
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.ImageLoader;
import dev.jvlm.vision.ImageProcessor;
import dev.jvlm.vision.ImageSummary;
import dev.jvlm.vision.ProcessedImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a {@link Sample} into model input for supervised fine-tuning, as a family's Hugging Face
 * processor would: the conversation rendered by the model's chat template, each image placeholder
 * replaced by the processor's expansion, tokenized, with labels on what the assistant says.
 *
 * <p>Labels are derived from the template itself (see {@link AssistantSpans}): a token is labelled
 * when its characters overlap an assistant message's text. The token that closes the assistant turn
 * right after the text ({@code <|im_end|>}, {@code <end_of_turn>}, {@code <end_of_utterance>},
 * {@code <|eot_id|>}, EOS, ...; spaces between text and it included) is labelled too, so that the
 * model learns to stop; the newline the template writes after it is not. Everything else (system and
 * user turns, the template's structure, image tokens, BOS) gets {@link Ops#IGNORE_INDEX}.
 *
 * <p>The tokenizer's post-processor (which may add BOS) runs unless the rendered text already starts
 * with the BOS token, so templates that write {@code {{ bos_token }}} do not get two.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SampleEncoder {

    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final ImageProcessor processor;
    private final VisionFamily family;
    private final String modelType;
    private final int padId;
    private final Map<String, Object> templateVariables;
    private final ImageLoader imageLoader = new ImageLoader();

    private SampleEncoder(Tokenizer tokenizer, ChatTemplate template, ImageProcessor processor, String modelType,
                          int padId, Map<String, Object> templateVariables) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.template = Objects.requireNonNull(template, "template");
        this.processor = processor;
        this.modelType = Objects.requireNonNull(modelType, "modelType");
        this.family = VisionFamily.of(modelType);
        this.padId = padId;
        this.templateVariables = Map.copyOf(templateVariables);
        if (family != VisionFamily.TEXT && processor == null) {
            throw new IllegalArgumentException(modelType + " takes images but no image processor was given");
        }
    }

    /**
     * The encoder of a model directory: tokenizer files, chat template, {@code config.json}'s
     * {@code model_type}, and {@code preprocessor_config.json} for vision families. The pad id is the
     * tokenizer's pad token, else generation_config.json's / config.json's {@code pad_token_id}, else EOS.
     */
    public static SampleEncoder load(Path modelDir) {
        Path configFile = modelDir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new JvlmException(modelDir + ": no config.json; the encoder needs its model_type");
        }
        ConfigNode config = ConfigNode.read(configFile);
        String modelType = config.getString("model_type", null);
        if (modelType == null) {
            throw new JvlmException(configFile + ": no \"model_type\"");
        }
        Tokenizer tokenizer = Tokenizer.load(modelDir);
        ChatTemplate template = ChatTemplate.load(modelDir);
        ImageProcessor processor = null;
        if (VisionFamily.of(modelType) != VisionFamily.TEXT) {
            try {
                processor = ImageProcessor.fromDirectory(modelDir);
            } catch (IOException | IllegalArgumentException e) {
                throw new JvlmException(modelDir + ": cannot set up the image processor: " + e.getMessage(), e);
            }
        }
        Integer pad = tokenizer.padId();
        if (pad == null) {
            GenerationConfig generation = GenerationConfig.load(modelDir, config);
            pad = generation.padTokenId() != null ? generation.padTokenId()
                    : generation.eosTokenIds().length > 0 ? Integer.valueOf(generation.eosTokenIds()[0]) : tokenizer.eosId();
        }
        return new SampleEncoder(tokenizer, template, processor, modelType, pad == null ? 0 : pad, Map.of());
    }

    /**
     * An encoder from parts. The pad id is the tokenizer's pad token, else its EOS, else 0.
     *
     * @param processor         the image processor; null for a text-only {@code modelType}
     * @param templateVariables extra chat-template variables (e.g. {@code enable_thinking})
     */
    public static SampleEncoder of(Tokenizer tokenizer, ChatTemplate template, ImageProcessor processor, String modelType,
                                   Map<String, Object> templateVariables) {
        Integer pad = tokenizer.padId() != null ? tokenizer.padId() : tokenizer.eosId();
        return new SampleEncoder(tokenizer, template, processor, modelType, pad == null ? 0 : pad, templateVariables);
    }

    public String modelType() {
        return modelType;
    }

    /** The id that pads input ids to the batch's length. */
    public int padId() {
        return padId;
    }

    /** A collator for this model's batches, truncating (or dropping) samples beyond {@code maxLength} tokens. */
    public Collator collator(int maxLength) {
        return new Collator(padId, maxLength, family.layout);
    }

    /**
     * Encodes one sample.
     *
     * @throws SampleException when the sample cannot be used: image parts and images do not match, no
     *                         assistant turn, an image that does not decode, a template error, or no
     *                         labelled token
     */
    public EncodedSample encode(Sample sample) {
        String origin = sample.origin();
        checkShape(sample);
        List<Map<String, Object>> templateMessages = sample.messages().stream().map(Message::toTemplateValue).toList();
        String rendered;
        try {
            rendered = template.render(templateMessages, false, templateVariables);
        } catch (ChatTemplateException e) {
            throw new SampleException(origin + ": the chat template fails on this conversation: " + e.getMessage(), e);
        }
        List<AssistantSpans.Span> spans = AssistantSpans.locate(template, templateMessages, sample.messages(), rendered,
                templateVariables, origin);
        ProcessedImages processed = sample.images().isEmpty() ? null : processImages(sample);
        Expansion expansion = expand(rendered, processed, origin);

        String bos = tokenizer.bosId() == null ? null : tokenizer.token(tokenizer.bosId());
        boolean addSpecial = bos == null || !expansion.text.startsWith(bos);
        Encoding encoding = tokenizer.encodeWithOffsets(expansion.text, addSpecial);
        int n = encoding.size();
        int[] ids = encoding.ids();
        boolean[] image = new boolean[n];
        int imageTokensEnd = 0;
        for (int t = 0; t < n; t++) {
            for (AssistantSpans.Span s : expansion.imageSpans) {
                if (overlaps(encoding, t, s.start(), s.end())) {
                    image[t] = true;
                    imageTokensEnd = t + 1;
                }
            }
        }
        int[] labels = new int[n];
        Arrays.fill(labels, Ops.IGNORE_INDEX);
        for (AssistantSpans.Span span : spans) {
            int start = expansion.shift(span.start());
            int end = expansion.shift(span.end());
            for (int t = 0; t < n; t++) {
                if (!image[t] && overlaps(encoding, t, start, end)) {
                    labels[t] = ids[t];
                }
            }
            labelTurnCloser(encoding, expansion.text, end, image, labels);
        }
        int[] tokenTypeIds = null;
        if (family.tokenTypeToken != null) {
            int imageToken = tokenizer.tokenId(family.tokenTypeToken);
            tokenTypeIds = new int[n];
            for (int t = 0; t < n; t++) {
                tokenTypeIds[t] = ids[t] == imageToken ? 1 : 0;
            }
        }
        EncodedSample encoded = new EncodedSample(ids, labels, tokenTypeIds, processed, imageTokensEnd, origin);
        if (encoded.labelledTokens() == 0) {
            throw new SampleException(origin + ": no token of the assistant's text survived tokenization");
        }
        return encoded;
    }

    private void checkShape(Sample sample) {
        String origin = sample.origin();
        if (sample.messages().stream().noneMatch(m -> m.role().equals("assistant"))) {
            throw new SampleException(origin + ": the conversation has no assistant message, so nothing to learn");
        }
        int parts = sample.imagePartCount();
        if (parts != sample.images().size()) {
            throw new SampleException(origin + ": the conversation has " + parts + " image part" + (parts == 1 ? "" : "s")
                    + " but the sample has " + sample.images().size() + " image" + (sample.images().size() == 1 ? "" : "s")
                    + "; each {\"type\": \"image\"} part takes the next image, in order");
        }
        if (parts > 0 && family == VisionFamily.TEXT) {
            throw new SampleException(origin + ": model_type " + modelType + " is a text-only model, but the sample has "
                    + parts + " image(s)");
        }
    }

    private ProcessedImages processImages(Sample sample) {
        List<DecodedImage> decoded = new ArrayList<>();
        for (ImageSource source : sample.images()) {
            try {
                decoded.add(source.decode(imageLoader));
            } catch (IOException e) {
                throw new SampleException(sample.origin() + ": image " + (decoded.size() + 1) + ": " + e.getMessage(), e);
            }
        }
        try {
            return processor.process(decoded);
        } catch (IllegalArgumentException e) {
            throw new SampleException(sample.origin() + ": the image processor rejects the images: " + e.getMessage(), e);
        }
    }

    /** The rendered text with every placeholder replaced by its image's expansion. */
    private record Expansion(String text, List<AssistantSpans.Span> imageSpans, int[] placeholderStarts, int[] growth) {

        /** Where a character position of the rendered text lands in the expanded text. */
        int shift(int position) {
            int delta = 0;
            for (int i = 0; i < placeholderStarts.length && placeholderStarts[i] < position; i++) {
                delta += growth[i];
            }
            return position + delta;
        }
    }

    private Expansion expand(String rendered, ProcessedImages processed, String origin) {
        List<ImageSummary> images = processed == null ? List.of() : processed.images();
        String placeholder = family.placeholder;
        List<Integer> starts = new ArrayList<>();
        if (placeholder != null) {
            for (int at = rendered.indexOf(placeholder); at >= 0; at = rendered.indexOf(placeholder, at + placeholder.length())) {
                starts.add(at);
            }
        }
        if (starts.size() != images.size()) {
            throw new SampleException(origin + ": the rendered conversation holds " + starts.size() + " image placeholder"
                    + (starts.size() == 1 ? "" : "s") + " (\"" + placeholder + "\") but the sample has " + images.size()
                    + " image" + (images.size() == 1 ? "" : "s") + "; the chat template drops image parts, or a text holds the "
                    + "placeholder literally");
        }
        StringBuilder text = new StringBuilder();
        List<AssistantSpans.Span> spans = new ArrayList<>();
        int[] placeholderStarts = new int[starts.size()];
        int[] growth = new int[starts.size()];
        int copied = 0;
        for (int i = 0; i < starts.size(); i++) {
            int at = starts.get(i);
            text.append(rendered, copied, at);
            String expansion = images.get(i).prompt();
            spans.add(new AssistantSpans.Span(text.length(), text.length() + expansion.length()));
            text.append(expansion);
            copied = at + placeholder.length();
            placeholderStarts[i] = at;
            growth[i] = expansion.length() - placeholder.length();
        }
        text.append(rendered, copied, rendered.length());
        return new Expansion(text.toString(), spans, placeholderStarts, growth);
    }

    /**
     * Labels the token that closes the assistant turn, when the template writes one right after the
     * text: the first token starting at or after {@code end}, past tokens made only of spaces, if it is
     * a special token or EOS. Templates without a closing token (text followed by plain text) get none.
     */
    private void labelTurnCloser(Encoding encoding, String text, int end, boolean[] image, int[] labels) {
        int n = encoding.size();
        int t = 0;
        while (t < n && (encoding.start(t) < end || encoding.end(t) == encoding.start(t))) {
            t++;
        }
        int first = t;
        while (t < n && !isSpecial(encoding.id(t)) && encoding.end(t) > encoding.start(t)
                && text.substring(encoding.start(t), encoding.end(t)).chars().allMatch(c -> c == ' ')) {
            t++;
        }
        if (t < n && !image[t] && isSpecial(encoding.id(t))) {
            for (int k = first; k <= t; k++) {
                labels[k] = encoding.id(k);
            }
        }
    }

    private boolean isSpecial(int id) {
        return tokenizer.isSpecialToken(id) || Objects.equals(tokenizer.eosId(), id);
    }

    /** Whether token {@code t} has characters in [start, end); post-processor tokens have none. */
    private static boolean overlaps(Encoding encoding, int t, int start, int end) {
        return encoding.end(t) > encoding.start(t) && encoding.start(t) < end && encoding.end(t) > start;
    }

    @Override
    public String toString() {
        return "SampleEncoder[" + modelType + ", " + tokenizer + "]";
    }
}
