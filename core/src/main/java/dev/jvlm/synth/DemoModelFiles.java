package dev.jvlm.synth;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of jvlm's embedded demo model besides its weights: an Idefics3 (SmolVLM-style) config
 * sized to train on two CPU cores, a word-level tokenizer covering exactly the synthetic task's words,
 * a SmolVLM-style chat template, and the image-processor settings for the synthetic images. Written by
 * {@code jvlm synth --model-files DIR}; {@code jvlm init} then makes the random starting weights.
 */
public final class DemoModelFiles {
    /** Special tokens, in id order after pad and unk. */
    static final List<String> SPECIAL = List.of("<|im_start|>", "<end_of_utterance>", "<image>", "<fake_token_around_image>",
            "<global-img>");
    /** Words the chat template itself writes. */
    static final List<String> TEMPLATE_WORDS = List.of("User", "Assistant", "System", ":");
    static final String CHAT_TEMPLATE = "<|im_start|>{% for message in messages %}{{ message['role'] | capitalize }}"
            + "{% if message['content'] is string %}: {{ message['content'] }}"
            + "{% else %}{% if message['content'][0]['type'] == 'image' %}:{% else %}: {% endif %}"
            + "{% for part in message['content'] %}{% if part['type'] == 'text' %}{{ part['text'] }}"
            + "{% elif part['type'] == 'image' %}<image>{% endif %}{% endfor %}{% endif %}<end_of_utterance>\n"
            + "{% endfor %}{% if add_generation_prompt %}Assistant:{% endif %}";
    /** Pixels per side of the synthetic images; one tile, no splitting. */
    static final int IMAGE_SIZE = SynthConfig.DEFAULT_IMAGE_SIZE;
    /**
     * Vision patch side: one patch per cell of the scenes' 3x3 grid, so the tower's embedding and MLPs see
     * a cell's whole shape in one token. Smaller patches (16 pixels, merged 2x2 by the pixel shuffle
     * into one token per cell) left the shape split over four patches; the model then learned colours
     * and sizes but not shape kinds (docs/DEMO.md).
     */
    static final int PATCH_SIZE = IMAGE_SIZE / 3;
    /** No pixel shuffle: with a patch per cell there is nothing left to merge. */
    static final int SCALE_FACTOR = 1;

    private DemoModelFiles() {
    }

    /** The vocabulary in id order: pad, unk, special tokens, template words, then the task's words. */
    static List<String> vocabulary() {
        List<String> v = new ArrayList<>(List.of("<pad>", "<unk>"));
        v.addAll(SPECIAL);
        for (String w : TEMPLATE_WORDS) {
            if (!v.contains(w)) {
                v.add(w);
            }
        }
        for (String w : SynthDataset.vocabulary()) {
            if (!v.contains(w)) {
                v.add(w);
            }
        }
        return v;
    }

    /** Writes config.json, tokenizer.json, tokenizer_config.json, preprocessor_config.json, processor_config.json. */
    public static void write(Path dir) {
        try {
            Files.createDirectories(dir);
            List<String> vocab = vocabulary();
            write(dir.resolve("tokenizer.json"), tokenizer(vocab));
            write(dir.resolve("tokenizer_config.json"), tokenizerConfig());
            write(dir.resolve("config.json"), config(vocab));
            write(dir.resolve("preprocessor_config.json"), preprocessor());
            ObjectNode processor = Json.MAPPER.createObjectNode();
            processor.put("image_seq_len", imageSeqLen());
            processor.put("processor_class", "Idefics3Processor");
            write(dir.resolve("processor_config.json"), processor);
        } catch (IOException e) {
            throw new JvlmException(dir + ": cannot write the demo model files (" + e.getMessage() + ")", e);
        }
    }

    private static void write(Path file, ObjectNode json) throws IOException {
        Files.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
    }

    /** (image size / patch)^2 / scale_factor^2 tokens per image. */
    static int imageSeqLen() {
        int patches = IMAGE_SIZE / PATCH_SIZE;
        return patches * patches / (SCALE_FACTOR * SCALE_FACTOR);
    }

    static ObjectNode tokenizer(List<String> vocab) {
        ObjectNode t = Json.MAPPER.createObjectNode();
        t.put("version", "1.0");
        t.putNull("truncation");
        t.putNull("padding");
        ArrayNode added = t.putArray("added_tokens");
        for (String s : List.of("<pad>", "<unk>")) {
            addToken(added, vocab.indexOf(s), s);
        }
        for (String s : SPECIAL) {
            addToken(added, vocab.indexOf(s), s);
        }
        t.putNull("normalizer");
        // Words (letters, digits, hyphens) or single punctuation marks; whitespace is dropped.
        ObjectNode pre = t.putObject("pre_tokenizer");
        pre.put("type", "Split");
        pre.putObject("pattern").put("Regex", "[\\p{L}\\p{N}-]+|[^\\s\\p{L}\\p{N}-]");
        pre.put("behavior", "Removed");
        pre.put("invert", true);
        t.putNull("post_processor");
        t.putNull("decoder");
        ObjectNode model = t.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) {
            v.put(vocab.get(i), i);
        }
        model.put("unk_token", "<unk>");
        return t;
    }

    private static void addToken(ArrayNode added, int id, String content) {
        ObjectNode a = added.addObject();
        a.put("id", id);
        a.put("content", content);
        a.put("single_word", false);
        a.put("lstrip", false);
        a.put("rstrip", false);
        a.put("normalized", false);
        a.put("special", true);
    }

    static ObjectNode tokenizerConfig() {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("bos_token", "<|im_start|>");
        c.put("eos_token", "<end_of_utterance>");
        c.put("pad_token", "<pad>");
        c.put("unk_token", "<unk>");
        c.put("add_bos_token", false);
        c.put("add_eos_token", false);
        // Word-level decoding joins tokens with spaces; the cleanup puts commas and question marks back.
        c.put("clean_up_tokenization_spaces", true);
        c.put("model_max_length", 512);
        c.put("chat_template", CHAT_TEMPLATE);
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        return c;
    }

    static ObjectNode config(List<String> vocab) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.putArray("architectures").add("Idefics3ForConditionalGeneration");
        c.put("model_type", "idefics3");
        c.put("image_token_id", vocab.indexOf("<image>"));
        c.put("pad_token_id", vocab.indexOf("<pad>"));
        c.put("bos_token_id", vocab.indexOf("<|im_start|>"));
        c.put("eos_token_id", vocab.indexOf("<end_of_utterance>"));
        c.put("scale_factor", SCALE_FACTOR);
        c.put("tie_word_embeddings", false);
        ObjectNode text = c.putObject("text_config");
        text.put("model_type", "llama");
        text.put("vocab_size", vocab.size());
        text.put("hidden_size", 128);
        text.put("intermediate_size", 384);
        text.put("num_hidden_layers", 4);
        text.put("num_attention_heads", 4);
        text.put("num_key_value_heads", 2);
        text.put("max_position_embeddings", 512);
        text.put("rms_norm_eps", 1e-5);
        text.put("rope_theta", 10000.0);
        text.put("pad_token_id", vocab.indexOf("<pad>"));
        text.put("bos_token_id", vocab.indexOf("<|im_start|>"));
        text.put("eos_token_id", vocab.indexOf("<end_of_utterance>"));
        ObjectNode vision = c.putObject("vision_config");
        vision.put("model_type", "idefics3_vision");
        vision.put("hidden_size", 192);
        vision.put("intermediate_size", 768);
        vision.put("num_hidden_layers", 2);
        vision.put("num_attention_heads", 4);
        vision.put("image_size", IMAGE_SIZE);
        vision.put("patch_size", PATCH_SIZE);
        vision.put("hidden_act", "gelu_pytorch_tanh");
        vision.put("layer_norm_eps", 1e-6);
        return c;
    }

    static ObjectNode preprocessor() {
        ObjectNode p = Json.MAPPER.createObjectNode();
        p.put("image_processor_type", "Idefics3ImageProcessor");
        p.put("do_convert_rgb", true);
        p.put("do_image_splitting", false);
        p.put("do_normalize", true);
        p.put("do_pad", true);
        p.put("do_rescale", true);
        p.put("do_resize", true);
        p.putArray("image_mean").add(0.5).add(0.5).add(0.5);
        p.putArray("image_std").add(0.5).add(0.5).add(0.5);
        p.putObject("max_image_size").put("longest_edge", IMAGE_SIZE);
        p.putObject("size").put("longest_edge", IMAGE_SIZE);
        p.put("resample", 2);
        p.put("rescale_factor", 1 / 255.0);
        return p;
    }
}
