package dev.jvlm.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tokenizer.json jvlm cannot use fails with a message naming the file and the component. */
class TokenizerErrorsTest {

    private static final String MODEL = "\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2}, \"merges\": [\"a b\"]}";

    private static String failure(String json) {
        TokenizerException e = assertThrows(TokenizerException.class,
                () -> Tokenizer.read("t.json", new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), TokenizerConfig.empty()));
        return e.getMessage();
    }

    @Test
    void missingTokenizerJsonNamesTheFile(@TempDir Path dir) {
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizer.load(dir));
        assertEquals(dir.resolve("tokenizer.json") + ": not found (a model directory needs a Hugging Face tokenizer.json)", e.getMessage());
    }

    @Test
    void invalidJsonNamesTheFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": ");
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizer.load(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("tokenizer.json") + ": not valid JSON"), e.getMessage());
    }

    @Test
    void unsupportedComponentsAreNamed() {
        assertEquals("t.json: pre_tokenizer type \"X\" is not supported",
                failure("{\"pre_tokenizer\": {\"type\": \"X\"}, " + MODEL + "}"));
        assertEquals("t.json: pre_tokenizer type \"UnicodeScripts\" is not supported", failure(
                "{\"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"UnicodeScripts\"}]}, " + MODEL + "}"));
        assertEquals("t.json: normalizer type \"Precompiled\" is not supported",
                failure("{\"normalizer\": {\"type\": \"Precompiled\", \"precompiled_charsmap\": \"\"}, " + MODEL + "}"));
        assertEquals("t.json: decoder type \"CTC\" is not supported", failure("{\"decoder\": {\"type\": \"CTC\"}, " + MODEL + "}"));
        assertEquals("t.json: post_processor type \"Magic\" is not supported",
                failure("{\"post_processor\": {\"type\": \"Magic\"}, " + MODEL + "}"));
        assertEquals("t.json: model type \"Char\" is not supported", failure("{\"model\": {\"type\": \"Char\", \"vocab\": {}}}"));
        assertEquals("t.json: pre_tokenizer Split: split behavior \"Sideways\" is not supported", failure(
                "{\"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"String\": \" \"}, \"behavior\": \"Sideways\"}, " + MODEL + "}"));
    }

    @Test
    void inconsistentModelsAreNamed() {
        assertEquals("t.json: has no \"model\"", failure("{}"));
        assertEquals("t.json: model BPE: merge token \"c\" is not in the vocabulary",
                failure("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a c\"]}}"));
        assertEquals("t.json: model BPE: unk_token \"<unk>\" is not in the vocabulary",
                failure("{\"model\": {\"type\": \"BPE\", \"unk_token\": \"<unk>\", \"vocab\": {\"a\": 0}, \"merges\": []}}"));
        assertTrue(failure("{\"model\": {\"type\": \"BPE\", \"dropout\": 0.1, \"vocab\": {\"a\": 0}, \"merges\": []}}")
                .startsWith("t.json: model BPE: dropout 0.1 is not supported"));
        assertEquals("t.json: model merge 1 \"a b c\" is not two tokens separated by one space",
                failure("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a b c\"]}}"));
    }

    @Test
    void invalidRegexAndMismatchedMetaspaceAreNamed() {
        String regex = failure("{\"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"(unclosed\"}, \"behavior\": \"Isolated\"}, "
                + MODEL + "}");
        assertTrue(regex.startsWith("t.json: pre_tokenizer Split: regex \"(unclosed\" is not supported"), regex);
        assertEquals("t.json: pre_tokenizer Metaspace: add_prefix_space false does not match prepend_scheme \"always\"",
                failure("{\"pre_tokenizer\": {\"type\": \"Metaspace\", \"replacement\": \"▁\", \"add_prefix_space\": false}, " + MODEL + "}"));
    }
}
