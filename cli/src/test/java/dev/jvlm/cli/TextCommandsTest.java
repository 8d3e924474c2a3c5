package dev.jvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.io.ModelLocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jvlm tokenize, detokenize and template on a small hand-written tokenizer: output formats, options,
 * one-line errors, and resolving --model from the Hugging Face cache.
 */
class TextCommandsTest {

    /**
     * A BPE vocabulary spelling "hello" and "low" with merges, split on whitespace; "." is a token,
     * {@code <s>} a special token the post-processor puts first. No decoder, so decoding joins tokens
     * with spaces, which makes transformers' clean_up_tokenization_spaces visible: "hello ." becomes "hello.".
     */
    private static final String TOKENIZER_JSON = """
            {"version": "1.0", "truncation": null, "padding": null,
             "added_tokens": [{"id": 0, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false,
                               "normalized": false, "special": true}],
             "normalizer": null,
             "pre_tokenizer": {"type": "WhitespaceSplit"},
             "post_processor": {"type": "TemplateProcessing",
                                "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                                "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}}},
             "decoder": null,
             "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                       "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
                       "vocab": {"<s>": 0, "h": 1, "e": 2, "l": 3, "o": 4, "w": 5, ".": 6, "he": 7, "ll": 8, "hell": 9,
                                 "hello": 10, "lo": 11, "low": 12},
                       "merges": ["h e", "l l", "he ll", "hell o", "l o", "lo w"]}}
            """;

    private static final String TOKENIZER_CONFIG = """
            {"bos_token": "<s>", "eos_token": "</s>", "clean_up_tokenization_spaces": true,
             "chat_template": "{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}\\n{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}{% if flag is sameas false %} flag-false{% elif flag is defined %} flag={{ flag }}{% endif %}"}
            """;

    @TempDir
    Path dir;

    private Path model;

    @BeforeEach
    void writeModel() throws IOException {
        model = Files.createDirectories(dir.resolve("model"));
        Files.writeString(model.resolve("tokenizer.json"), TOKENIZER_JSON);
        Files.writeString(model.resolve("tokenizer_config.json"), TOKENIZER_CONFIG);
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void tokenizePrintsOneIdArrayPerText() throws IOException {
        Path texts = file("texts.json", "[\"hello low\", \"\", \"low.\"]");
        CliRunner r = CliRunner.run("tokenize", "--model", model.toString(), "--input", texts.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("[[10,12],[],[12,6]]\n", r.out());
        CliRunner special = CliRunner.run("tokenize", "--model", model.toString(), "--input", texts.toString(), "--add-special-tokens");
        assertEquals("[[0,10,12],[0],[0,12,6]]\n", special.out());
    }

    @Test
    void threadsDoNotChangeTheResultOrOrder() throws IOException {
        Path texts = file("texts.json", "[\"hello\", \"low\", \"hello low\", \"low hello\", \"he\", \"ll\"]");
        CliRunner one = CliRunner.run("tokenize", "--model", model.toString(), "--input", texts.toString(), "--threads", "1");
        CliRunner four = CliRunner.run("tokenize", "--threads", "4", "--model", model.toString(), "--input", texts.toString());
        assertEquals("[[10],[12],[10,12],[12,10],[7],[8]]\n", one.out());
        assertEquals(one.out(), four.out());
    }

    @Test
    void threadsBelowOneIsAUsageErrorNamingTheOption() throws IOException {
        Path texts = file("texts.json", "[\"hello\"]");
        CliRunner r = CliRunner.run("tokenize", "--model", model.toString(), "--input", texts.toString(), "--threads", "0");
        assertEquals(2, r.exitCode());
        assertEquals("Invalid value for option '--threads': must be at least 1, got 0", r.err().lines().findFirst().orElseThrow());
        assertEquals("", r.out());
    }

    @Test
    void detokenizeCleansUpAsTheConfigAsksUnlessNoCleanup() throws IOException {
        Path ids = file("ids.json", "[[0, 10, 6], [12]]");
        assertEquals("[\"<s> hello.\",\"low\"]\n", CliRunner.run("detokenize", "--model", model.toString(), "--input", ids.toString()).out());
        assertEquals("[\"<s> hello .\",\"low\"]\n",
                CliRunner.run("detokenize", "--model", model.toString(), "--input", ids.toString(), "--no-cleanup").out());
        assertEquals("[\"hello.\",\"low\"]\n",
                CliRunner.run("detokenize", "--model", model.toString(), "--input", ids.toString(), "--skip-special-tokens").out());
    }

    @Test
    void templatePrintsExactlyThePrompt() throws IOException {
        Path conv = file("conv.json", "[{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": [{\"type\": \"text\", \"text\": \"Yo\"}]}]");
        CliRunner plain = CliRunner.run("template", "--model", model.toString(), "--messages", conv.toString());
        assertEquals(0, plain.exitCode(), plain.err());
        assertEquals("<s>[user] Hi\n[assistant] [{'type': 'text', 'text': 'Yo'}]\n", plain.out());
        CliRunner generation = CliRunner.run("template", "--model", model.toString(), "--messages", conv.toString(), "--add-generation-prompt");
        assertTrue(generation.out().endsWith("\n[assistant]"), generation.out());
    }

    @Test
    void templateVariablesAreJsonWhenValidJsonElseText() throws IOException {
        Path conv = file("conv.json", "[]");
        assertEquals("<s> flag-false", CliRunner.run("template", "--model", model.toString(), "--messages", conv.toString(),
                "--var", "flag=false").out());
        assertEquals("<s> flag=falsy", CliRunner.run("template", "--model", model.toString(), "--messages", conv.toString(),
                "--var", "flag=falsy").out());
        assertEquals("<s> flag=[1, 'a']", CliRunner.run("template", "--model", model.toString(), "--messages", conv.toString(),
                "--var", "flag=[1, \"a\"]").out());
        assertEquals("<s> flag=26 Jul 2024", CliRunner.run("template", "--model", model.toString(), "--messages", conv.toString(),
                "--var", "flag=26 Jul 2024").out());
    }

    @Test
    void templateFileReplacesTheModelTemplateButKeepsItsSpecialTokens() throws IOException {
        Path conv = file("conv.json", "[{\"role\": \"user\", \"content\": \"Hi\"}]");
        Path template = file("t.jinja", "{{ bos_token }}|{{ messages[0]['content'] | upper }}|{{ eos_token }}\n");
        CliRunner r = CliRunner.run("template", "--model", model.toString(), "--messages", conv.toString(), "--template", template.toString());
        assertEquals("<s>|HI|</s>", r.out());
    }

    @Test
    void errorsAreOneLineWithoutStackTraceUnlessVerbose() throws IOException {
        Path bad = file("bad.json", "[\"unterminated");
        CliRunner r = CliRunner.run("tokenize", "--model", model.toString(), "--input", bad.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("jvlm: " + bad + ": invalid JSON"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertEquals("", r.out());

        CliRunner verbose = CliRunner.run("tokenize", "--verbose", "--model", model.toString(), "--input", bad.toString());
        assertTrue(verbose.err().lines().count() > 1, verbose.err());
        assertTrue(verbose.err().contains("\tat "), verbose.err());
    }

    @Test
    void inputsOfTheWrongShapeAreNamed() throws IOException {
        CliRunner numbers = CliRunner.run("tokenize", "--model", model.toString(), "--input", file("n.json", "[\"a\", 3]").toString());
        assertEquals("jvlm: " + dir.resolve("n.json") + ": element 1 is not a string\n", numbers.err());
        CliRunner ids = CliRunner.run("detokenize", "--model", model.toString(), "--input", file("i.json", "[[1, \"x\"]]").toString());
        assertEquals("jvlm: " + dir.resolve("i.json") + ": element 0[1] is not a token id\n", ids.err());
        CliRunner unknownId = CliRunner.run("detokenize", "--model", model.toString(), "--input", file("u.json", "[[99]]").toString());
        assertEquals(1, unknownId.exitCode());
        assertTrue(unknownId.err().contains("token id 99 is not in the vocabulary"), unknownId.err());
    }

    @Test
    void templateErrorsNameTheLine() throws IOException {
        Path conv = file("conv.json", "[{\"role\": \"user\", \"content\": \"Hi\"}]");
        Path template = file("t.jinja", "ok\n{{ raise_exception('roles must alternate') }}");
        CliRunner r = CliRunner.run("template", "--model", model.toString(), "--messages", conv.toString(), "--template", template.toString());
        assertEquals(1, r.exitCode());
        assertEquals("jvlm: chat template line 2: roles must alternate\n", r.err());
    }

    @Test
    void missingModelAndMissingTokenizerAreClearErrors() throws IOException {
        Path texts = file("texts.json", "[\"a\"]");
        CliRunner missing = CliRunner.run("tokenize", "--model", dir.resolve("nowhere").toString(), "--input", texts.toString());
        assertEquals("jvlm: model directory " + dir.resolve("nowhere") + " does not exist\n", missing.err());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        CliRunner noTokenizer = CliRunner.run("tokenize", "--model", empty.toString(), "--input", texts.toString());
        assertTrue(noTokenizer.err().startsWith("jvlm: " + empty.resolve("tokenizer.json") + ": not found"), noTokenizer.err());
    }

    @Test
    void commandsAcceptAHubIdFromTheCache() throws IOException {
        Path snapshot = Files.createDirectories(dir.resolve("hub/models--acme--tiny/snapshots/abc"));
        Files.writeString(snapshot.resolve("tokenizer.json"), TOKENIZER_JSON);
        Path texts = file("texts.json", "[\"hello\"]");
        String previous = System.setProperty(ModelLocator.HUB_CACHE_PROPERTY, dir.resolve("hub").toString());
        try {
            CliRunner r = CliRunner.run("tokenize", "--model", "acme/tiny", "--input", texts.toString());
            assertEquals("[[10]]\n", r.out(), r.err());
        } finally {
            if (previous == null) {
                System.clearProperty(ModelLocator.HUB_CACHE_PROPERTY);
            } else {
                System.setProperty(ModelLocator.HUB_CACHE_PROPERTY, previous);
            }
        }
    }
}
