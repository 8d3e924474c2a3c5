package dev.jvlm.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tokenizer components the reference tokenizers do not use, or use only one way: normalizers,
 * pre-tokenizers and split behaviours, Unigram and WordPiece models, decoders, post-processors and
 * added-token options. Expected values follow from tokenizers' documented behaviour.
 */
class TokenizerComponentsTest {

    private static JsonNode json(String text) {
        try {
            return TextFixtures.JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String normalize(String normalizerJson, String text) {
        return Normalizer.fromJson(json(normalizerJson), "test").apply(NormalizedText.of(text)).text();
    }

    private static List<String> preTokenize(String preTokenizerJson, String text) {
        List<NormalizedText> out = new ArrayList<>();
        PreTokenizer.fromJson(json(preTokenizerJson), "test").apply(NormalizedText.of(text), out);
        return out.stream().map(NormalizedText::text).toList();
    }

    private static String decode(String decoderJson, String... tokens) {
        return Decoder.fromJson(json(decoderJson), "test").decode(List.of(tokens));
    }

    private static Tokenizer tokenizer(String json) {
        return Tokenizer.read("test.json", new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), TokenizerConfig.empty());
    }

    @Test
    void splitBehavioursFollowTheTokenizersDocumentation() {
        String text = "the-final--countdown";
        String split = "{\"type\": \"Split\", \"pattern\": {\"String\": \"-\"}, \"invert\": false, \"behavior\": \"%s\"}";
        assertEquals(List.of("the", "final", "countdown"), preTokenize(split.formatted("Removed"), text));
        assertEquals(List.of("the", "-", "final", "-", "-", "countdown"), preTokenize(split.formatted("Isolated"), text));
        assertEquals(List.of("the-", "final-", "-", "countdown"), preTokenize(split.formatted("MergedWithPrevious"), text));
        assertEquals(List.of("the", "-final", "-", "-countdown"), preTokenize(split.formatted("MergedWithNext"), text));
        assertEquals(List.of("the", "-", "final", "--", "countdown"), preTokenize(split.formatted("Contiguous"), text));
    }

    @Test
    void invertedSplitKeepsWhatThePatternMatches() {
        String words = "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"\\\\w+\"}, \"invert\": true, \"behavior\": \"Removed\"}";
        assertEquals(List.of("Hey", "friend"), preTokenize(words, "Hey, friend!"));
    }

    @Test
    void splitRegexesUseUnicodeWhitespaceAsOniguruma() {
        // Oniguruma's \s is Unicode White_Space: no-break space and thin space separate words, unlike Java's default \s.
        String ws = "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"\\\\s+\"}, \"invert\": false, \"behavior\": \"Removed\"}";
        assertEquals(List.of("a", "b", "c"), preTokenize(ws, "a\u00a0b\u2009c"));
        String han = "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"\\\\p{Han}+\"}, \"invert\": false, \"behavior\": \"Isolated\"}";
        assertEquals(List.of("ab", "日本", "cd"), preTokenize(han, "ab日本cd"));
        String hex = "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"\\\\h+\"}, \"invert\": false, \"behavior\": \"Isolated\"}";
        assertEquals(List.of("x", "3f", " ", "Ab", "z"), preTokenize(hex, "x3f Abz"), "Oniguruma's \\h is a hex digit");
        String caseless = "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(?i:'s)\"}, \"invert\": false, \"behavior\": \"Isolated\"}";
        assertEquals(List.of("IT", "'S"), preTokenize(caseless, "IT'S"));
    }

    @Test
    void digitsPreTokenizer() {
        assertEquals(List.of("a", "1", "2", "b", "٣"), preTokenize("{\"type\": \"Digits\", \"individual_digits\": true}", "a12b٣"));
        assertEquals(List.of("a", "12", "b"), preTokenize("{\"type\": \"Digits\", \"individual_digits\": false}", "a12b"));
    }

    @Test
    void wordAndPunctuationPreTokenizers() {
        assertEquals(List.of("Hey", "friend", "!?", "x"), preTokenize("{\"type\": \"Whitespace\"}", "Hey friend!? x"));
        assertEquals(List.of("Hey", "friend!?", "x"), preTokenize("{\"type\": \"WhitespaceSplit\"}", "Hey friend!?\u00a0x"));
        assertEquals(List.of("a", ",", "b", "$", "c", "¿"), preTokenize("{\"type\": \"Punctuation\"}", "a,b$c¿"));
        assertEquals(List.of("Hey", ",", "you", "!"), preTokenize("{\"type\": \"BertPreTokenizer\"}", "Hey, you!"));
        assertEquals(List.of("a", "b c"), preTokenize("{\"type\": \"CharDelimiterSplit\", \"delimiter\": \"|\"}", "a|b c"));
    }

    @Test
    void metaspacePreTokenizerAndDecoder() {
        String always = "{\"type\": \"Metaspace\", \"replacement\": \"▁\", \"prepend_scheme\": \"always\", \"split\": true}";
        assertEquals(List.of("▁Hello", "▁world", "▁", "▁x"), preTokenize(always, "Hello world  x"));
        String never = "{\"type\": \"Metaspace\", \"replacement\": \"▁\", \"prepend_scheme\": \"never\", \"split\": false}";
        assertEquals(List.of("Hello▁world"), preTokenize(never, "Hello world"));
        String legacy = "{\"type\": \"Metaspace\", \"replacement\": \"▁\", \"add_prefix_space\": false, \"prepend_scheme\": \"never\"}";
        assertEquals(List.of("Hello", "▁world"), preTokenize(legacy, "Hello world"));
        // The decoder drops every ▁ of the first token and turns the others into spaces.
        assertEquals("Hello world", decode(always, "▁Hello", "▁world"));
        assertEquals(" Hello world", decode(never, "▁Hello", "▁world"));
    }

    @Test
    void metaspaceFirstSchemePrependsOnlyAtTheStartOfTheInput() {
        Tokenizer t = tokenizer("""
                {"added_tokens": [{"id": 0, "content": "<s>", "special": true, "normalized": false}],
                 "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true},
                 "model": {"type": "WordLevel", "vocab": {"<s>": 0, "▁a": 1, "b": 2, "▁b": 3, "<unk>": 4}, "unk_token": "<unk>"}}""");
        assertArrayEquals(new int[] {1, 3}, t.encode("a b", false));
        assertArrayEquals(new int[] {1, 0, 2}, t.encode("a<s>b", false), "after an added token the piece does not start the input");
    }

    @Test
    void normalizers() {
        assertEquals("i\u0307stanbul σσ", normalize("{\"type\": \"Lowercase\"}", "İSTANBUL ΣΣ"),
                "Rust lowercases per character: İ gains a combining dot, and there is no final-sigma rule");
        assertEquals("fi 1", normalize("{\"type\": \"NFKC\"}", "ﬁ ①"));
        assertEquals("e\u0301", normalize("{\"type\": \"NFD\"}", "é"));
        assertEquals("cafe", normalize("{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFD\"}, {\"type\": \"StripAccents\"}]}", "café"));
        assertEquals("a b", normalize("{\"type\": \"Strip\", \"strip_left\": true, \"strip_right\": true}", " \u3000a b\n"));
        assertEquals("a__b", normalize("{\"type\": \"Replace\", \"pattern\": {\"Regex\": \"\\\\s+\"}, \"content\": \"__\"}", "a \t b"));
        assertEquals("▁x", normalize("{\"type\": \"Prepend\", \"prepend\": \"▁\"}", "x"));
        assertEquals("", normalize("{\"type\": \"Prepend\", \"prepend\": \"▁\"}", ""), "nothing is prepended to empty text");
        assertEquals("ĠhiĊ", normalize("{\"type\": \"ByteLevel\"}", " hi\n"));
        assertEquals("hello 中  world", normalize("{\"type\": \"BertNormalizer\", \"clean_text\": true, \"handle_chinese_chars\": true,"
                + " \"strip_accents\": null, \"lowercase\": true}", "HÉLLO\u0000中\tWORLD"));
    }

    @Test
    void normalizedOffsetsPointIntoTheOriginalText() {
        NormalizedText t = Normalizer.fromJson(json("{\"type\": \"NFKC\"}"), "test").apply(NormalizedText.of("aﬁb"));
        assertEquals("afib", t.text());
        assertEquals(1, t.originalStart(1));
        assertEquals(2, t.originalEnd(2), "both letters of the ligature map to it");
        assertEquals(2, t.originalStart(3));
    }

    @Test
    void unigramFindsTheBestScoringSegmentation() {
        // "abc": a+b+c scores -4, ab+c -3.5, abc -4: ab+c wins. "x" is unknown; consecutive unknowns fuse.
        Tokenizer t = tokenizer("""
                {"model": {"type": "Unigram", "unk_id": 0, "byte_fallback": false,
                 "vocab": [["<unk>", 0.0], ["a", -1.0], ["b", -1.0], ["c", -2.0], ["ab", -1.5], ["abc", -4.0]]}}""");
        assertArrayEquals(new int[] {4, 3}, t.encode("abc", false));
        assertArrayEquals(new int[] {1, 0, 2}, t.encode("axxb", false));
        Encoding e = t.encodeWithOffsets("axxb", false);
        assertEquals(1, e.start(1));
        assertEquals(3, e.end(1));
    }

    @Test
    void unigramByteFallbackForUnknownRuns() {
        Tokenizer t = tokenizer("""
                {"model": {"type": "Unigram", "unk_id": 0, "byte_fallback": true,
                 "vocab": [["<unk>", 0.0], ["a", -1.0], ["<0xC3>", -5.0], ["<0xA9>", -5.0]]},
                 "decoder": {"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "Fuse"}]}}""");
        assertArrayEquals(new int[] {1, 2, 3}, t.encode("aé", false));
        assertEquals("aé", t.decode(new int[] {1, 2, 3}, false));
        assertArrayEquals(new int[] {1, 0}, t.encode("a€", false), "€ has bytes without tokens: unknown");
    }

    @Test
    void wordPieceGreedyLongestMatch() {
        Tokenizer t = tokenizer("""
                {"normalizer": {"type": "BertNormalizer", "lowercase": true},
                 "pre_tokenizer": {"type": "BertPreTokenizer"},
                 "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 1], "cls": ["[CLS]", 2]},
                 "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
                 "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100,
                  "vocab": {"[UNK]": 0, "[SEP]": 1, "[CLS]": 2, "un": 3, "##aff": 4, "##able": 5, "aff": 6, "!": 7}}}""");
        assertArrayEquals(new int[] {3, 4, 5, 7, 0}, t.encode("Unaffable! xyz", false));
        assertArrayEquals(new int[] {2, 3, 4, 5, 1}, t.encode("unaffable", true));
        assertEquals("unaffable! [UNK]", t.decode(new int[] {3, 4, 5, 7, 0}, false));
    }

    @Test
    void decoders() {
        assertEquals("ab", decode("{\"type\": \"Fuse\"}", "a", "b"));
        assertEquals("Hello", decode("{\"type\": \"Strip\", \"content\": \" \", \"start\": 1, \"stop\": 0}", " Hello"));
        assertEquals("é", decode("{\"type\": \"ByteFallback\"}", "<0xc3>", "<0xA9>"), "hex digits of either case");
        assertEquals("a b", decode("{\"type\": \"Replace\", \"pattern\": {\"String\": \"▁\"}, \"content\": \" \"}", "a▁b"));
        assertEquals("hello world", decode("{\"type\": \"BPEDecoder\", \"suffix\": \"</w>\"}", "hello</w>", "world</w>"));
        assertEquals("hello,", decode("{\"type\": \"WordPiece\", \"prefix\": \"##\", \"cleanup\": true}", "he", "##llo", ","));
        assertEquals(" é", decode("{\"type\": \"ByteLevel\"}", "ĠÃ", "©"));
    }

    @Test
    void robertaPostProcessorWrapsTheSequence() {
        Tokenizer t = tokenizer("""
                {"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
                 "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                                    "trim_offsets": true, "add_prefix_space": false},
                 "model": {"type": "BPE", "vocab": {"<s>": 0, "</s>": 2, "a": 3, "Ġ": 4, "Ġa": 5}, "merges": ["Ġ a"]}}""");
        Encoding e = t.encodeWithOffsets("a a", true);
        assertArrayEquals(new int[] {0, 3, 5, 2}, e.ids());
        assertEquals(2, e.start(2), "trim_offsets leaves the leading space out of Ġa");
        assertEquals(3, e.end(2));
    }

    @Test
    void addedTokenOptions() {
        // Ids as tokenizers assigns them: "end" is in the model vocabulary (4); the others follow its 6 entries.
        Tokenizer t = tokenizer("""
                {"added_tokens": [
                   {"id": 6, "content": "<mask>", "special": true, "lstrip": true, "rstrip": false, "single_word": false, "normalized": false},
                   {"id": 4, "content": "end", "special": false, "lstrip": false, "rstrip": true, "single_word": true, "normalized": false},
                   {"id": 7, "content": "hi", "special": false, "lstrip": false, "rstrip": false, "single_word": false, "normalized": true}],
                 "normalizer": {"type": "Lowercase"},
                 "pre_tokenizer": {"type": "WhitespaceSplit"},
                 "model": {"type": "WordLevel", "unk_token": "<unk>",
                           "vocab": {"<unk>": 0, "a": 1, "b": 2, "weekend": 3, "end": 4, "x": 5}}}""");
        assertArrayEquals(new int[] {1, 6, 2}, t.encode("a   <mask> b", false), "lstrip swallows the spaces before <mask>");
        Encoding e = t.encodeWithOffsets("a   <mask> b", false);
        assertEquals(1, e.start(1));
        assertEquals(10, e.end(1));
        assertArrayEquals(new int[] {3}, t.encode("weekend", false), "single_word: no match inside a word");
        assertArrayEquals(new int[] {4, 5}, t.encode("end   x", false), "rstrip swallows the spaces after it");
        assertEquals(6, t.encodeWithOffsets("end   x", false).end(0));
        assertArrayEquals(new int[] {7}, t.encode("HI", false), "normalized tokens match after normalization");
        assertFalse(t.isSpecialToken(4));
        assertTrue(t.isSpecialToken(6));
    }

    @Test
    void bpeWithContinuingSubwordPrefixAndUnknowns() {
        Tokenizer t = tokenizer("""
                {"model": {"type": "BPE", "unk_token": "[UNK]", "fuse_unk": true, "continuing_subword_prefix": "##",
                 "vocab": {"[UNK]": 0, "a": 1, "##b": 2, "##c": 3, "ab": 4, "abc": 5}, "merges": ["a ##b", "ab ##c"]}}""");
        assertArrayEquals(new int[] {5}, t.encode("abc", false));
        assertArrayEquals(new int[] {1, 0}, t.encode("axy", false), "x and y are unknown and fuse into one [UNK]");
    }

    @Test
    void bpeMergesByRankThenLeftmost() {
        // With "a a" ranked first, "aaa" merges the leftmost pair first: aa + a.
        Tokenizer t = tokenizer("""
                {"model": {"type": "BPE", "vocab": {"a": 0, "aa": 1, "aaa": 2}, "merges": ["a a", "aa a"]}}""");
        assertArrayEquals(new int[] {2}, t.encode("aaa", false));
        assertArrayEquals(new int[] {1, 1}, t.encode("aaaa", false), "aa+aa: no rule merges aa with aa");
    }

    @Test
    void utf8LossyDecodingReplacesMaximalSubparts() {
        assertEquals("\uFFFD", Utf8.decodeLossy(new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, 3));
        assertEquals("\uFFFDA", Utf8.decodeLossy(new byte[] {(byte) 0xE6, (byte) 0x97, 'A'}, 3));
        assertEquals("\uFFFD\uFFFD", Utf8.decodeLossy(new byte[] {(byte) 0xC0, (byte) 0x80}, 2), "C0 is never valid");
        assertEquals("\uFFFD\uFFFD\uFFFD", Utf8.decodeLossy(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, 3), "surrogates are invalid");
        assertEquals("😀", Utf8.decodeLossy("😀".getBytes(StandardCharsets.UTF_8), 4));
        assertTrue(Utf8.isWellFormed("ok é".getBytes(StandardCharsets.UTF_8), 5));
        assertFalse(Utf8.isWellFormed(new byte[] {(byte) 0xC3}, 1));
    }

    @Test
    void jsonEscapesInTheVocabularyAreDecoded() {
        Tokenizer t = tokenizer("""
                {"model": {"type": "WordLevel", "unk_token": "<unk>",
                 "vocab": {"<unk>": 0, "\\u00e9": 1, "\\uD83D\\uDE00": 2, "a\\"b": 3, "\\\\": 4, "x\\ny": 5, "\\/": 6, "ü": 7}}}""");
        assertEquals("é", t.token(1));
        assertEquals("😀", t.token(2));
        assertEquals("a\"b", t.token(3));
        assertEquals("\\", t.token(4));
        assertEquals("x\ny", t.token(5));
        assertEquals("/", t.token(6));
        assertEquals(7, t.tokenId("ü"), "raw UTF-8 in the file");
    }

    @Test
    void vocabMapFindsTokensByStringBytesAndConcatenation() {
        VocabMap map = new VocabMap(2);
        List<String> tokens = List.of("a", "▁the", "😀", "Ġworld", "ab", "<unused1>", "<unused2>", "日本");
        for (int i = 0; i < 5000; i++) {
            map.put("t" + i, 100 + i);
        }
        for (int i = 0; i < tokens.size(); i++) {
            map.put(tokens.get(i), i);
        }
        map.put("a", 42);
        assertEquals(42, map.get("a"), "a later duplicate replaces the id");
        assertEquals(-1, map.get("missing"));
        for (int i = 1; i < tokens.size(); i++) {
            byte[] utf8 = ("[" + tokens.get(i) + "]").getBytes(StandardCharsets.UTF_8);
            assertEquals(i, map.get(utf8, 1, utf8.length - 1), tokens.get(i));
        }
        assertEquals(4, map.getConcat("a", "b", 0));
        assertEquals(4, map.getConcat("a", "##b", 2), "the right token's prefix is skipped");
        assertEquals(7, map.getConcat("日", "本", 0));
        assertEquals(-1, map.getConcat("a", "c", 0));
        assertEquals(5099, map.get("t4999"));
        assertEquals(5008, map.size());
    }
}
