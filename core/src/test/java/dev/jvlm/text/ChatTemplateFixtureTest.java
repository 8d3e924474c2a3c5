package dev.jvlm.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every template render of the reference set: "agree" renders must match exactly (and tokenize to
 * the reference ids), "agree_error" renders must fail with a template error. For "disputed"
 * renders the expectation is what Python's jinja2 does, as the reference README states it:
 * {@code str + list} raises; a for loop over a string iterates its characters (the minijinja
 * answer); {@code list | trim} prints Python's repr of the list.
 */
class ChatTemplateFixtureTest {

    private static final Map<String, ChatTemplate> TEMPLATES = new HashMap<>();

    @TestFactory
    Stream<DynamicContainer> everyReferenceRender() {
        Map<String, JsonNode> conversations = new HashMap<>();
        for (JsonNode c : TextFixtures.cases().get("conversations")) {
            conversations.put(c.get("id").asText(), c);
        }
        return TextFixtures.TOKENIZERS.stream().map(tokenizer -> {
            List<DynamicTest> tests = new ArrayList<>();
            for (JsonNode entry : TextFixtures.expected(tokenizer).get("chat")) {
                String name = entry.get("template").asText() + " " + entry.get("conversation").asText()
                        + (entry.get("add_generation_prompt").asBoolean() ? " +gen" : "") + " [" + entry.get("status").asText() + "]";
                tests.add(DynamicTest.dynamicTest(name, () -> check(tokenizer, entry, conversations.get(entry.get("conversation").asText()))));
            }
            return DynamicContainer.dynamicContainer(tokenizer, tests);
        });
    }

    private static void check(String tokenizer, JsonNode entry, JsonNode conversation) {
        ChatTemplate template = template(entry.get("template").asText(), tokenizer);
        List<Map<String, Object>> messages = messages(conversation);
        Map<String, Object> variables = new LinkedHashMap<>();
        JsonNode templateKwargs = TextFixtures.cases().get("template_kwargs").get(entry.get("template").asText());
        if (templateKwargs != null) {
            variables.putAll(toMap(templateKwargs));
        }
        if (conversation.has("kwargs")) {
            variables.putAll(toMap(conversation.get("kwargs")));
        }
        boolean generation = entry.get("add_generation_prompt").asBoolean();
        switch (entry.get("status").asText()) {
            case "agree" -> {
                String prompt = template.render(messages, generation, variables);
                assertEquals(entry.get("prompt").asText(), prompt);
                assertArrayEquals(TextFixtures.ints(entry.get("prompt_ids")), TextFixtures.tokenizer(tokenizer).encode(prompt, false));
            }
            case "agree_error" -> {
                ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> template.render(messages, generation, variables));
                assertTrue(e.getMessage().startsWith("chat template line "), e.getMessage());
            }
            case "disputed" -> {
                switch (entry.get("dispute").asText()) {
                    case "str_plus_list" -> {
                        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                                () -> template.render(messages, generation, variables));
                        assertTrue(e.getMessage().contains("TypeError: can only concatenate str (not \"list\") to str"), e.getMessage());
                    }
                    case "for_over_string" -> assertEquals(entry.get("minijinja").get("prompt").asText(),
                            template.render(messages, generation, variables));
                    case "filter_on_list" -> assertEquals(withPythonRepr(entry.get("minijinja").get("prompt").asText(), conversation),
                            template.render(messages, generation, variables));
                    default -> throw new AssertionError("unknown dispute category " + entry.get("dispute"));
                }
            }
            default -> throw new AssertionError("unknown status " + entry.get("status"));
        }
    }

    @Test
    void qwenVisionTemplateNumbersImagesAndVideosAcrossMessages() {
        // Traced through templates/qwen2_5_vl.jinja: the namespaces count images and videos over the whole conversation.
        List<Map<String, Object>> messages = List.of(
                Map.of("role", "user", "content", List.of(Map.of("type", "image"), Map.of("type", "video"),
                        Map.of("type", "text", "text", "What?"))),
                Map.of("role", "assistant", "content", "A cat."),
                Map.of("role", "user", "content", List.of(Map.of("type", "image"), Map.of("type", "text", "text", "And?"))));
        String expected = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nPicture 1: <|vision_start|><|image_pad|><|vision_end|>"
                + "Video 1: <|vision_start|><|video_pad|><|vision_end|>What?<|im_end|>\n"
                + "<|im_start|>assistant\nA cat.<|im_end|>\n"
                + "<|im_start|>user\nPicture 2: <|vision_start|><|image_pad|><|vision_end|>And?<|im_end|>\n"
                + "<|im_start|>assistant\n";
        assertEquals(expected, template("qwen2_5_vl", "qwen3").render(messages, true, Map.of("add_vision_id", true)));
        assertEquals(expected.replace("Picture 1: ", "").replace("Video 1: ", "").replace("Picture 2: ", ""),
                template("qwen2_5_vl", "qwen3").render(messages, true, Map.of()));
    }

    /**
     * minijinja prints a list of parts as JSON with sorted keys; Python prints its repr, keys in
     * insertion order and single quotes. The part values here contain no quotes or backslashes.
     */
    private static String withPythonRepr(String minijinjaPrompt, JsonNode conversation) {
        String prompt = minijinjaPrompt;
        for (JsonNode message : conversation.get("messages")) {
            JsonNode content = message.get("content");
            if (!content.isArray()) {
                continue;
            }
            List<String> json = new ArrayList<>();
            List<String> repr = new ArrayList<>();
            for (JsonNode part : content) {
                List<String> keys = new ArrayList<>();
                part.fieldNames().forEachRemaining(keys::add);
                List<String> sorted = new ArrayList<>(keys);
                sorted.sort(null);
                json.add("{" + String.join(", ", sorted.stream().map(k -> "\"" + k + "\": \"" + part.get(k).asText() + "\"").toList()) + "}");
                repr.add("{" + String.join(", ", keys.stream().map(k -> "'" + k + "': '" + part.get(k).asText() + "'").toList()) + "}");
            }
            prompt = prompt.replace("[" + String.join(", ", json) + "]", "[" + String.join(", ", repr) + "]");
        }
        return prompt;
    }

    static synchronized ChatTemplate template(String name, String tokenizer) {
        return TEMPLATES.computeIfAbsent(name + "/" + tokenizer, k -> {
            for (JsonNode t : TextFixtures.json("templates/index.json")) {
                if (!t.get("name").asText().equals(name)) {
                    continue;
                }
                String file = t.get("file").asText();
                String source;
                if (file.endsWith("#chat_template")) {
                    source = TextFixtures.json(file.substring(0, file.indexOf('#'))).get("chat_template").asText();
                } else {
                    try (InputStream in = TextFixtures.open(file)) {
                        source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return ChatTemplate.of(source, TextFixtures.config(tokenizer).specialTokensMap());
            }
            throw new AssertionError("template " + name + " is not in templates/index.json");
        });
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> messages(JsonNode conversation) {
        return TextFixtures.JSON.convertValue(conversation.get("messages"), List.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> toMap(JsonNode node) {
        return TextFixtures.JSON.convertValue(node, Map.class);
    }
}
