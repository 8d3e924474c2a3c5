package dev.jvlm.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a model directory's chat template and special-token variables come from. */
class ChatTemplateLoadTest {

    @TempDir
    Path dir;

    private static final List<Map<String, Object>> HELLO = List.of(Map.of("role", "user", "content", "hello"));

    private void write(String file, String content) throws IOException {
        Files.writeString(dir.resolve(file), content);
    }

    @Test
    void tokenizerConfigTemplateWithItsSpecialTokens() throws IOException {
        write("tokenizer_config.json", """
                {"bos_token": {"content": "<s>", "lstrip": false, "__type": "AddedToken"}, "eos_token": "</s>",
                 "chat_template": "{{ bos_token }}{{ messages[0].content }}{{ eos_token }}"}""");
        assertEquals("<s>hello</s>", ChatTemplate.load(dir).render(HELLO, false));
        assertEquals(Map.of("bos_token", "<s>", "eos_token", "</s>"), ChatTemplate.specialTokens(dir));
    }

    @Test
    void specialTokensMapOverridesTheConfig() throws IOException {
        write("tokenizer_config.json", "{\"bos_token\": \"<s>\", \"chat_template\": \"{{ bos_token }}\"}");
        write("special_tokens_map.json", "{\"bos_token\": {\"content\": \"<|begin|>\"}}");
        assertEquals("<|begin|>", ChatTemplate.load(dir).render(HELLO, false));
    }

    @Test
    void jinjaFileComesFirstThenProcessorJson() throws IOException {
        write("tokenizer_config.json", "{\"chat_template\": \"config\"}");
        write("chat_template.json", "{\"chat_template\": \"processor\"}");
        assertEquals("processor", ChatTemplate.load(dir).render(HELLO, false));
        write("chat_template.jinja", "jinja\n");
        assertEquals("jinja", ChatTemplate.load(dir).render(HELLO, false));
    }

    @Test
    void namedTemplates() throws IOException {
        write("tokenizer_config.json", """
                {"chat_template": [{"name": "default", "template": "plain"}, {"name": "tool_use", "template": "tools"}]}""");
        assertEquals("plain", ChatTemplate.load(dir).render(HELLO, false));
        assertEquals("tools", ChatTemplate.load(dir, "tool_use").render(HELLO, false));
        ChatTemplateException missing = assertThrows(ChatTemplateException.class, () -> ChatTemplate.load(dir, "rag"));
        assertEquals(dir + ": no chat template named \"rag\" (it has [default, tool_use])", missing.getMessage());
    }

    @Test
    void aDirectoryWithoutTemplateIsAClearError() throws IOException {
        write("tokenizer_config.json", "{\"bos_token\": \"<s>\"}");
        ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> ChatTemplate.load(dir));
        assertTrue(e.getMessage().startsWith(dir + ": no chat template (looked for chat_template.jinja"), e.getMessage());
        assertEquals(0, e.line());
    }

    @Test
    void syntaxErrorsAreReportedWhenLoading() throws IOException {
        write("chat_template.jinja", "line one\n{% for m in messages %}\n{{ m.content }\n{% endfor %}");
        ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> ChatTemplate.load(dir));
        assertEquals(3, e.line(), e.getMessage());
    }
}
