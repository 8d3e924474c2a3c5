package dev.jvlm.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face chat template: Jinja source rendered with Python jinja2's semantics and the
 * settings transformers' {@code apply_chat_template} uses (trim_blocks, lstrip_blocks, the
 * {@code raise_exception} and {@code strftime_now} functions, a {@code tojson} that keeps
 * non-ASCII text). Instances are immutable and thread-safe.
 */
public final class ChatTemplate {

    static final String JINJA_FILE = "chat_template.jinja";
    static final String JSON_FILE = "chat_template.json";

    private final String source;
    private final JinjaRenderer renderer;
    private final Map<String, Object> defaultVariables;

    private ChatTemplate(String source, Map<String, Object> defaultVariables) {
        this.source = source;
        this.renderer = new JinjaRenderer(JinjaParser.parse(source));
        this.defaultVariables = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(defaultVariables));
    }

    /** A template from its Jinja source, without special-token variables. */
    public static ChatTemplate of(String source) {
        return new ChatTemplate(source, Map.of());
    }

    /**
     * A template from its Jinja source, rendered with these variables unless a render call
     * overrides them (e.g. {@link #specialTokens(Path)} of a model).
     */
    public static ChatTemplate of(String source, Map<String, Object> defaultVariables) {
        return new ChatTemplate(source, defaultVariables);
    }

    /**
     * The chat template of a model directory: chat_template.jinja, else chat_template.json (the
     * processor's template, which multimodal models use), else tokenizer_config.json's
     * {@code chat_template}, where a list of named templates yields the one named "default". The
     * special tokens of tokenizer_config.json/special_tokens_map.json become variables.
     *
     * @throws ChatTemplateException if the directory has no chat template or it does not parse
     */
    public static ChatTemplate load(Path modelDir) {
        return load(modelDir, null);
    }

    /** Like {@link #load(Path)}, choosing a named template when tokenizer_config.json has a list of them. */
    public static ChatTemplate load(Path modelDir, String templateName) {
        TokenizerConfig config = TokenizerConfig.read(modelDir);
        return new ChatTemplate(findSource(modelDir, config, templateName), config.specialTokensMap());
    }

    /** The variables transformers passes for a model's special tokens: bos_token, eos_token, ... */
    public static Map<String, Object> specialTokens(Path modelDir) {
        return TokenizerConfig.read(modelDir).specialTokensMap();
    }

    private static String findSource(Path dir, TokenizerConfig config, String templateName) {
        Path jinja = dir.resolve(JINJA_FILE);
        if (templateName == null && Files.isRegularFile(jinja)) {
            try {
                return Files.readString(jinja);
            } catch (IOException e) {
                throw new ChatTemplateException(jinja + ": cannot be read: " + e.getMessage());
            }
        }
        Path json = dir.resolve(JSON_FILE);
        if (templateName == null && Files.isRegularFile(json)) {
            try {
                JsonNode node = new ObjectMapper().readTree(json.toFile()).get("chat_template");
                if (node == null || !node.isTextual()) {
                    throw new ChatTemplateException(json + ": has no \"chat_template\" string");
                }
                return node.asText();
            } catch (IOException e) {
                throw new ChatTemplateException(json + ": not valid JSON: " + e.getMessage());
            }
        }
        JsonNode node = config.chatTemplate();
        if (node == null) {
            throw new ChatTemplateException(dir + ": no chat template (looked for " + JINJA_FILE + ", " + JSON_FILE
                    + " and chat_template in " + TokenizerConfig.CONFIG_FILE + ")");
        }
        if (node.isTextual()) {
            if (templateName != null) {
                throw new ChatTemplateException(dir + ": has a single chat template, not one named \"" + templateName + "\"");
            }
            return node.asText();
        }
        String wanted = templateName == null ? "default" : templateName;
        List<String> names = new ArrayList<>();
        for (JsonNode entry : node) {
            String name = entry.path("name").asText();
            names.add(name);
            if (name.equals(wanted)) {
                return entry.path("template").asText();
            }
        }
        throw new ChatTemplateException(dir + ": no chat template named \"" + wanted + "\" (it has " + names + ")");
    }

    /**
     * Renders the conversation as transformers' {@code apply_chat_template(tokenize=False)} does.
     * Variables: {@code messages}, {@code add_generation_prompt}, {@code tools} and {@code documents}
     * (None unless given), the special tokens, then {@code extraVariables} (e.g. {@code enable_thinking}).
     * Values are JSON-like Java objects: String, Number, Boolean, null, List, Map.
     *
     * @param messages each with "role" and "content" (a string, or a list of parts such as
     *                 {@code {"type": "text", "text": ...}} and {@code {"type": "image"}})
     * @throws ChatTemplateException on a template error, including the template's own {@code raise_exception}
     */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, Map<String, ?> extraVariables) {
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("tools", null);
        variables.put("documents", null);
        variables.putAll(defaultVariables);
        if (extraVariables != null) {
            variables.putAll(extraVariables);
        }
        variables.put("messages", messages);
        variables.put("add_generation_prompt", addGenerationPrompt);
        return renderer.render(variables);
    }

    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /** The Jinja source of the template. */
    public String source() {
        return source;
    }
}
