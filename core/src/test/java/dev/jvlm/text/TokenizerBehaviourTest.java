package dev.jvlm.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The reference tokenizers on inputs the reference set does not contain. Expected ids are derived
 * from the algorithms (which pieces the pre-tokenizer cuts, which of them are vocabulary entries)
 * and written as vocabulary lookups, so each test states its reasoning.
 */
class TokenizerBehaviourTest {

    private static Tokenizer tok(String name) {
        return TextFixtures.tokenizer(name);
    }

    private static int id(String tokenizer, String token) {
        int id = tok(tokenizer).tokenId(token);
        assertTrue(id >= 0, token + " should be in the " + tokenizer + " vocabulary");
        return id;
    }

    private static int[] ids(String tokenizer, String... tokens) {
        int[] out = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            out[i] = id(tokenizer, tokens[i]);
        }
        return out;
    }

    @Test
    void byteLevelWordsKeepTheirLeadingSpaceAsG() {
        // "Hello" | " world" by the split regex; the space becomes Ġ; both pieces are vocabulary entries.
        assertArrayEquals(ids("qwen3", "Hello", "Ġworld"), tok("qwen3").encode("Hello world", false));
        assertArrayEquals(ids("gpt2", "Hello", "Ġworld"), tok("gpt2").encode("Hello world", false));
        assertArrayEquals(ids("llama3", "Hello", "Ġworld"), tok("llama3").encode("Hello world", false));
    }

    @Test
    void digitsSplitOneByOneInQwenAndInThreesInLlama3() {
        // Qwen's regex has \p{N} (one digit per piece); Llama 3's has \p{N}{1,3}.
        assertArrayEquals(ids("qwen3", "1", "2", "3", "4", "5", "6", "7"), tok("qwen3").encode("1234567", false));
        assertArrayEquals(ids("llama3", "123", "456", "7"), tok("llama3").encode("1234567", false));
    }

    @Test
    void whitespaceRunLeavesItsLastSpaceToTheNextWord() {
        // \s+(?!\S) takes the spaces but the one before "b"; " b" is then one piece.
        assertArrayEquals(ids("qwen3", "a", "ĠĠ", "Ġb"), tok("qwen3").encode("a   b", false));
        Encoding e = tok("qwen3").encodeWithOffsets("a   b", false);
        assertEquals(1, e.start(1));
        assertEquals(3, e.end(1));
        assertEquals(3, e.start(2));
        assertEquals(5, e.end(2));
    }

    @Test
    void addedTokensAreCutOutOfTheTextAroundThem() {
        assertArrayEquals(new int[] {id("qwen3", "x"), 151645, id("qwen3", "y")}, tok("qwen3").encode("x<|im_end|>y", false));
        assertArrayEquals(new int[] {id("llama3", "x"), 128009, id("llama3", "y")}, tok("llama3").encode("x<|eot_id|>y", false));
        Encoding e = tok("qwen3").encodeWithOffsets("x<|im_end|>y", false);
        assertEquals(1, e.start(1));
        assertEquals(11, e.end(1));
    }

    @Test
    void sentencePiecePrependsTheMetaSymbolAgainAfterASpecialToken() {
        // The normalizer runs on each piece between added tokens, so "Hi" after "<s>" gets its own "▁" (legacy behaviour).
        assertArrayEquals(new int[] {1, id("llama2", "▁Hi")}, tok("llama2").encode("<s>Hi", false));
    }

    @Test
    void charactersOutsideTheVocabularyFallBackToBytes() {
        assertEquals(-1, tok("llama2").tokenId("龘"));
        // "▁龘": "▁" is a token, "龘" (UTF-8 E9 BE 98) becomes three byte tokens that no merge joins.
        int[] expected = ids("llama2", "▁", "<0xE9>", "<0xBE>", "<0x98>");
        assertArrayEquals(expected, tok("llama2").encode("龘", false));
        assertEquals("龘", tok("llama2").decode(expected, false));
        Encoding e = tok("llama2").encodeWithOffsets("龘", false);
        for (int i = 1; i < e.size(); i++) {
            assertEquals(0, e.start(i), "every byte token spans the whole character");
            assertEquals(1, e.end(i));
        }
    }

    @Test
    void emojiInTheVocabularyIsOneTokenSpanningTwoUtf16Units() {
        Encoding e = tok("gemma3").encodeWithOffsets("😀", false);
        assertArrayEquals(ids("gemma3", "😀"), e.ids());
        assertEquals(0, e.start(0));
        assertEquals(2, e.end(0));
    }

    @Test
    void byteLevelDecodingReplacesEachIncompleteSequenceOnce() {
        // "ðŁĺ" is bytes F0 9F 98, the first three of 😀: one maximal ill-formed subpart, one U+FFFD.
        int head = id("gpt2", "ðŁĺ");
        int tail = id("gpt2", "Ģ");
        assertEquals("\uFFFD", tok("gpt2").decode(new int[] {head}, false));
        assertEquals("\uFFFD", tok("gpt2").decode(new int[] {tail}, false));
        assertEquals("😀", tok("gpt2").decode(new int[] {head, tail}, false));
        assertEquals("\uFFFDa\uFFFD", tok("gpt2").decode(new int[] {head, id("gpt2", "a"), tail}, false));
    }

    @Test
    void byteFallbackDecodingReplacesEveryByteOfAnInvalidRun() {
        // tokenizers' ByteFallback decoder gives one U+FFFD per byte when a run is not valid UTF-8.
        assertEquals("\uFFFD\uFFFD", tok("llama2").decode(ids("llama2", "<0xF0>", "<0x9F>"), false));
        assertEquals("😀", tok("llama2").decode(ids("llama2", "▁", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>"), false));
    }

    @Test
    void nfcComposesBeforeTokenizingAndOffsetsCoverTheComposedCharacter() {
        String decomposed = "e\u0301";
        assertArrayEquals(tok("qwen3").encode("\u00e9", false), tok("qwen3").encode(decomposed, false));
        Encoding e = tok("qwen3").encodeWithOffsets(decomposed, false);
        assertEquals(1, e.size());
        assertEquals(0, e.start(0));
        assertEquals(2, e.end(0));
    }

    @Test
    void offsetsMapTokensBackToTheInput() {
        String text = "Hello world";
        Encoding e = tok("llama2").encodeWithOffsets(text, true);
        assertArrayEquals(new int[] {1, id("llama2", "▁Hello"), id("llama2", "▁world")}, e.ids());
        assertEquals("", text.substring(e.start(0), e.end(0)), "special tokens have the empty span");
        assertEquals("Hello", text.substring(e.start(1), e.end(1)), "the prepended ▁ covers no input");
        assertEquals(" world", text.substring(e.start(2), e.end(2)));
    }

    @Test
    void specialTokenIdsComeFromTheConfig() {
        assertNull(tok("qwen3").bosId());
        assertEquals(151645, tok("qwen3").eosId());
        assertEquals(151643, tok("qwen3").padId());
        assertEquals(2, tok("gemma3").bosId());
        assertEquals(id("gemma3", "<end_of_turn>"), tok("gemma3").eosId());
        assertEquals(0, tok("gemma3").padId());
        assertEquals(0, tok("mistral_v0_1").unkId());
        assertTrue(tok("qwen3").isSpecialToken(151644));
        assertFalse(tok("qwen3").isSpecialToken(id("qwen3", "<think>")), "<think> is an added token but not special");
    }

    @Test
    void vocabSizeCountsAddedTokensBeyondTheModel() {
        assertEquals(151643 + 26, tok("qwen3").vocabSize());
        assertEquals(262145, tok("gemma3").vocabSize(), "<image_soft_token> is id 262144");
        assertEquals(50257, tok("gpt2").vocabSize());
        assertEquals(32000, tok("llama2").vocabSize());
        assertEquals("<image_soft_token>", tok("gemma3").token(262144));
        assertNull(tok("gpt2").token(50257));
    }

    @Test
    void addedTokensGetTheIdsTheFileLists() throws IOException {
        // tokenizers recomputes added-token ids (vocabulary id, else the next free one); for these files they agree.
        for (String name : TextFixtures.TOKENIZERS) {
            try (InputStream in = TextFixtures.open("models/" + name + "/tokenizer.json")) {
                for (com.fasterxml.jackson.databind.JsonNode t : TextFixtures.JSON.readTree(in).get("added_tokens")) {
                    assertEquals(t.get("id").asInt(), tok(name).tokenId(t.get("content").asText()), name + " " + t.get("content"));
                }
            }
        }
    }

    @Test
    void skippingSpecialTokensKeepsNonSpecialAddedTokens() {
        int think = id("qwen3", "<think>");
        int[] idsWithSpecial = {151644, id("qwen3", "user"), think};
        assertEquals("<|im_start|>user<think>", tok("qwen3").decode(idsWithSpecial, false));
        assertEquals("user<think>", tok("qwen3").decode(idsWithSpecial, true));
    }

    @Test
    void decodingAnUnknownIdIsAnError() {
        TokenizerException e = assertThrows(TokenizerException.class, () -> tok("gpt2").decode(new int[] {50257}, false));
        assertTrue(e.getMessage().contains("token id 50257 is not in the vocabulary"), e.getMessage());
    }

    @Test
    void cleanupRemovesSpacesBeforePunctuationOnlyWhenAsked() {
        int[] ids = tok("llama3").encode("Hi , you !", false);
        assertEquals("Hi , you !", tok("llama3").decode(ids, false, false));
        assertEquals("Hi, you!", tok("llama3").decode(ids, false, true));
        assertEquals("Hi, you!", tok("llama3").decode(ids, false), "llama3's config sets clean_up_tokenization_spaces");
        assertEquals("Hi , you !", tok("qwen3").decode(tok("qwen3").encode("Hi , you !", false), false));
    }

    @Test
    void llamaConfigFlagsRebuildThePostProcessorAsTransformersDoes() throws IOException {
        String config = """
                {"tokenizer_class": "LlamaTokenizerFast", "add_bos_token": false, "add_eos_token": true,
                 "bos_token": "<s>", "eos_token": "</s>"}""";
        Tokenizer t;
        try (InputStream json = TextFixtures.open("models/mistral_v0_1/tokenizer.json")) {
            t = Tokenizer.read("mistral", json, TokenizerConfig.read(new ByteArrayInputStream(config.getBytes(StandardCharsets.UTF_8)), "config"));
        }
        assertArrayEquals(new int[] {id("mistral_v0_1", "▁Hello"), 2}, t.encode("Hello", true));
        assertArrayEquals(new int[] {id("mistral_v0_1", "▁Hello")}, t.encode("Hello", false));
    }

    @Test
    void explicitConfigFlagsRebuildThePostProcessorForAnyClass() throws IOException {
        // Qwen's file post-processor adds nothing; a config asking for EOS gets it appended, as transformers 5 does.
        String config = "{\"tokenizer_class\": \"Qwen2Tokenizer\", \"add_eos_token\": true, \"eos_token\": \"<|im_end|>\", \"bos_token\": null}";
        Tokenizer t;
        try (InputStream json = TextFixtures.open("models/qwen3/tokenizer.json")) {
            t = Tokenizer.read("qwen3", json, TokenizerConfig.read(new ByteArrayInputStream(config.getBytes(StandardCharsets.UTF_8)), "config"));
        }
        assertArrayEquals(new int[] {id("qwen3", "Hi"), 151645}, t.encode("Hi", true));
        String bosWithoutToken = "{\"add_bos_token\": true, \"bos_token\": null}";
        try (InputStream json = TextFixtures.open("models/qwen3/tokenizer.json")) {
            t = Tokenizer.read("qwen3", json, TokenizerConfig.read(new ByteArrayInputStream(bosWithoutToken.getBytes(StandardCharsets.UTF_8)), "config"));
        }
        assertArrayEquals(new int[] {id("qwen3", "Hi")}, t.encode("Hi", true), "no BOS token named, none added");
    }
}
