package dev.jvlm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.models.TestData;
import dev.jvlm.tensor.Ops;
import dev.jvlm.text.ChatTemplate;
import dev.jvlm.text.Tokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Labels derived from real chat templates and tokenizers. Every expected string was checked by hand
 * against the template source: the assistant's text and the token the template closes the turn with
 * are labelled, nothing else.
 */
class SampleEncoderTest {

    /** Two assistant turns, one with a leading space the template may keep or trim. */
    private static final List<Message> IMAGE_CONVERSATION = List.of(
            Message.parts("user", new Part.Image(), new Part.Text("What is this?")),
            Message.parts("assistant", new Part.Text("A gradient.")),
            Message.parts("user", new Part.Text("Sure?")),
            Message.parts("assistant", new Part.Text(" Yes, sure. ")));

    private static final List<Message> TEXT_CONVERSATION = List.of(
            Message.text("system", "Be brief."), Message.text("user", "Hi"), Message.text("assistant", "Hello!"),
            Message.text("user", "Bye"), Message.text("assistant", "Bye."));

    private static Map<String, Object> specialTokens(String tokenizer) {
        return ChatTemplate.specialTokens(TestData.tokenizerDir(tokenizer));
    }

    @Test
    void qwen25VlLabelsAnswersAndImEndButNotTheNewlineAfterIt() {
        Tokenizer tok = DataFixtures.tokenizer("qwen3");
        SampleEncoder encoder = SampleEncoder.of(tok, DataFixtures.template("text/templates/qwen2_5_vl.jinja", specialTokens("qwen3")),
                DataFixtures.processor("qwen2_5_vl"), "qwen2_5_vl", Map.of());
        EncodedSample s = encoder.encode(DataFixtures.sample(IMAGE_CONVERSATION, DataFixtures.image(40, 30)));

        assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n<|vision_start|>"
                + "<|image_pad|>".repeat(6) + "<|vision_end|>What is this?<|im_end|>\n<|im_start|>assistant\nA gradient.<|im_end|>\n"
                + "<|im_start|>user\nSure?<|im_end|>\n<|im_start|>assistant\n Yes, sure. <|im_end|>\n", DataFixtures.decoded(s, tok));
        assertEquals(List.of("A gradient.<|im_end|>", " Yes, sure. <|im_end|>"), DataFixtures.labelledRuns(s, tok));
        int imPad = tok.tokenId("<|image_pad|>");
        for (int t = 0; t < s.length(); t++) {
            if (s.inputIds()[t] == imPad) {
                assertEquals(Ops.IGNORE_INDEX, s.labels()[t], "image token " + t);
            }
        }
        assertEquals(1 + lastIndexOf(s.inputIds(), tok.tokenId("<|vision_end|>")), s.imageTokensEnd());
        assertEquals(List.of(6), s.images().images().stream().map(i -> i.numImageTokens()).toList());
        assertNull(s.tokenTypeIds());
        int newline = s.length() - 1;
        assertEquals("\n", tok.decode(new int[] {s.inputIds()[newline]}, false, false));
        assertEquals(Ops.IGNORE_INDEX, s.labels()[newline]);
    }

    @Test
    void gemma3TrimsTheAnswerLabelsEndOfTurnAndMarksImageTokenTypes() {
        Tokenizer tok = DataFixtures.tokenizer("gemma3");
        SampleEncoder encoder = SampleEncoder.of(tok, ChatTemplate.load(TestData.tokenizerDir("gemma3")),
                DataFixtures.processor("gemma3"), "gemma3", Map.of());
        EncodedSample s = encoder.encode(DataFixtures.sample(IMAGE_CONVERSATION, DataFixtures.image(40, 30)));

        assertEquals("<bos><start_of_turn>user\n\n\n<start_of_image>" + "<image_soft_token>".repeat(4)
                + "<end_of_image>\n\nWhat is this?<end_of_turn>\n<start_of_turn>model\nA gradient.<end_of_turn>\n"
                + "<start_of_turn>user\nSure?<end_of_turn>\n<start_of_turn>model\nYes, sure.<end_of_turn>\n", DataFixtures.decoded(s, tok));
        assertEquals(List.of("A gradient.<end_of_turn>", "Yes, sure.<end_of_turn>"), DataFixtures.labelledRuns(s, tok));
        assertEquals(1, Arrays.stream(s.inputIds()).filter(id -> id == tok.bosId()).count(), "the template writes BOS; no second one");
        assertEquals(4, Arrays.stream(s.tokenTypeIds()).sum());
        for (int t = 0; t < s.length(); t++) {
            assertEquals(s.inputIds()[t] == tok.tokenId("<image_soft_token>") ? 1 : 0, s.tokenTypeIds()[t]);
        }
    }

    @Test
    void smolVlmLabelsTheSpaceJoinedAnswerAndEndOfUtterance() {
        Tokenizer tok = DataFixtures.tokenizerWithSpecialTokens("gpt2",
                List.of("<end_of_utterance>", "<image>", "<fake_token_around_image>", "<global-img>"));
        SampleEncoder encoder = SampleEncoder.of(tok, DataFixtures.template("data/templates/smolvlm.jinja", Map.of()),
                DataFixtures.processor("idefics3"), "idefics3", Map.of());
        EncodedSample s = encoder.encode(DataFixtures.sample(IMAGE_CONVERSATION, DataFixtures.image(40, 30)));

        String tile = "<image>".repeat(4);
        assertEquals("<|im_start|>User:<fake_token_around_image><row_1_col_1>" + tile + "<fake_token_around_image><row_1_col_2>" + tile
                + "\n<fake_token_around_image><row_2_col_1>" + tile + "<fake_token_around_image><row_2_col_2>" + tile
                + "\n\n<fake_token_around_image><global-img>" + tile + "<fake_token_around_image>What is this?<end_of_utterance>\n"
                + "Assistant: A gradient.<end_of_utterance>\nUser: Sure?<end_of_utterance>\nAssistant:  Yes, sure. <end_of_utterance>\n",
                DataFixtures.decoded(s, tok));
        // " A" is one byte-level token: its space belongs to the template, the model must still produce it.
        // In ":  Yes" the template's space is a token of its own (" ", " Yes") and stays unlabelled.
        assertEquals(List.of(" A gradient.<end_of_utterance>", " Yes, sure. <end_of_utterance>"), DataFixtures.labelledRuns(s, tok));
        assertEquals(s.length() - 1, lastIndexOf(s.inputIds(), tok.tokenId("\u010a")) , "the final newline is the last token");
        assertEquals(Ops.IGNORE_INDEX, s.labels()[s.length() - 1]);
    }

    @Test
    void llavaNextMistralLabelsEosButNotTheSpaceAfterIt() {
        Tokenizer tok = DataFixtures.tokenizerWithSpecialTokens("mistral_v0_1", List.of("<image>"));
        SampleEncoder encoder = SampleEncoder.of(tok, DataFixtures.template("data/templates/llava_next_mistral.jinja",
                specialTokens("mistral_v0_1")), DataFixtures.processor("llava_next"), "llava_next", Map.of());
        EncodedSample s = encoder.encode(DataFixtures.sample(IMAGE_CONVERSATION, DataFixtures.image(40, 30)));

        assertEquals(tok.bosId(), s.inputIds()[0], "the template writes no BOS; the tokenizer adds it as the processor does");
        assertEquals(Ops.IGNORE_INDEX, s.labels()[0]);
        assertEquals(List.of("A gradient.</s>", "Yes, sure. </s>"), DataFixtures.labelledRuns(s, tok));
        assertEquals(s.images().images().getFirst().numImageTokens(),
                Arrays.stream(s.inputIds()).filter(id -> id == tok.tokenId("<image>")).count());
    }

    @Test
    void llava15TemplateHasNoTurnCloserSoOnlyTheTextIsLabelled() {
        Tokenizer tok = DataFixtures.tokenizerWithSpecialTokens("llama2", List.of("<image>"));
        SampleEncoder encoder = SampleEncoder.of(tok, DataFixtures.template("data/templates/llava_1_5.jinja", specialTokens("llama2")),
                DataFixtures.processor("llava"), "llava", Map.of());
        EncodedSample s = encoder.encode(DataFixtures.sample(IMAGE_CONVERSATION, DataFixtures.image(40, 30)));

        // The template writes "text + ' '" and then the next "USER: ": no special token closes the turn.
        assertEquals(List.of("A gradient.", "Yes, sure.  "), DataFixtures.labelledRuns(s, tok));
        assertEquals(16, Arrays.stream(s.inputIds()).filter(id -> id == tok.tokenId("<image>")).count());
    }

    @Test
    void llama3TextModelLabelsEotId() {
        Tokenizer tok = DataFixtures.tokenizer("llama3");
        SampleEncoder encoder = SampleEncoder.of(tok, ChatTemplate.load(TestData.tokenizerDir("llama3")), null, "llama", Map.of());
        EncodedSample s = encoder.encode(DataFixtures.sample(TEXT_CONVERSATION));
        assertEquals(List.of("Hello!<|eot_id|>", "Bye.<|eot_id|>"), DataFixtures.labelledRuns(s, tok));
        assertNull(s.images());
        assertEquals(0, s.imageTokensEnd());
    }

    @Test
    void llama2LabelsTheSpaceBeforeEosThatTheTemplateWrites() {
        Tokenizer tok = DataFixtures.tokenizer("llama2");
        SampleEncoder encoder = SampleEncoder.of(tok, DataFixtures.template("text/templates/llama2_chat.jinja", specialTokens("llama2")),
                null, "llama", Map.of());
        EncodedSample s = encoder.encode(DataFixtures.sample(TEXT_CONVERSATION));
        assertEquals("<s> [INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s><s> [INST] Bye [/INST] Bye. </s>",
                DataFixtures.decoded(s, tok));
        assertEquals(List.of("Hello! </s>", "Bye. </s>"), DataFixtures.labelledRuns(s, tok));
    }

    @Test
    void qwen3ThinkingBlockOfTheLastTurnIsTemplateStructure() {
        Tokenizer tok = DataFixtures.tokenizer("qwen3");
        SampleEncoder encoder = SampleEncoder.of(tok, ChatTemplate.load(TestData.tokenizerDir("qwen3")), null, "qwen3", Map.of());
        EncodedSample s = encoder.encode(DataFixtures.sample(TEXT_CONVERSATION));
        assertTrue(DataFixtures.decoded(s, tok).endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\nBye.<|im_end|>\n"));
        assertEquals(List.of("Hello!<|im_end|>", "Bye.<|im_end|>"), DataFixtures.labelledRuns(s, tok));
    }

    @Test
    void repeatedAnswersAreFoundInTheirOwnTurnAndATrailingUserTurnIsNotLabelled() {
        Tokenizer tok = DataFixtures.tokenizer("qwen3");
        SampleEncoder encoder = SampleEncoder.of(tok, DataFixtures.template("text/templates/qwen2.jinja", specialTokens("qwen3")),
                null, "qwen2", Map.of());
        // "Yes" also appears in the user's first question: the label must come from the assistant turns only.
        List<Message> conversation = List.of(Message.text("user", "Yes or no?"), Message.text("assistant", "Yes"),
                Message.text("user", "Yes?"), Message.text("assistant", "Yes"), Message.text("user", "Thanks"));
        EncodedSample s = encoder.encode(DataFixtures.sample(conversation));
        assertEquals(List.of("Yes<|im_end|>", "Yes<|im_end|>"), DataFixtures.labelledRuns(s, tok));
        String text = DataFixtures.decoded(s, tok);
        int firstAnswer = text.indexOf("<|im_start|>assistant\nYes");
        assertTrue(firstAnswer > text.indexOf("Yes or no?"));
        int labelledBefore = 0;
        for (int t = 0; t < s.length(); t++) {
            if (s.labels()[t] != Ops.IGNORE_INDEX && tok.decode(Arrays.copyOf(s.inputIds(), t + 1), false, false).length() <= firstAnswer) {
                labelledBefore++;
            }
        }
        assertEquals(0, labelledBefore, "nothing before the first assistant turn is labelled");
        assertTrue(text.endsWith("<|im_start|>user\nThanks<|im_end|>\n"));
        assertEquals(Ops.IGNORE_INDEX, s.labels()[s.length() - 2], "the trailing user turn's <|im_end|> is not labelled");
    }

    @Test
    void assistantWithSeveralTextPartsGetsOneSpanPerPart() {
        Tokenizer tok = DataFixtures.tokenizer("qwen3");
        SampleEncoder encoder = SampleEncoder.of(tok, DataFixtures.template("text/templates/qwen2_5_vl.jinja", specialTokens("qwen3")),
                DataFixtures.processor("qwen2_5_vl"), "qwen2_5_vl", Map.of());
        List<Message> conversation = List.of(Message.parts("user", new Part.Text("Describe."), new Part.Image()),
                Message.parts("assistant", new Part.Text("Red "), new Part.Text("and blue.")));
        EncodedSample s = encoder.encode(DataFixtures.sample(conversation, DataFixtures.image(20, 20)));
        assertEquals(List.of("Red and blue.<|im_end|>"), DataFixtures.labelledRuns(s, tok));
    }

    @Test
    void conversationWithoutAssistantIsRejected() {
        SampleEncoder encoder = SampleEncoder.of(DataFixtures.tokenizer("qwen3"), ChatTemplate.load(TestData.tokenizerDir("qwen3")),
                null, "qwen3", Map.of());
        SampleException e = assertThrows(SampleException.class,
                () -> encoder.encode(new Sample(List.of(Message.text("user", "Hi")), List.of(), "a.jsonl line 3")));
        assertEquals("a.jsonl line 3: the conversation has no assistant message, so nothing to learn", e.getMessage());
    }

    @Test
    void imagePartsAndImagesMustMatch() {
        Tokenizer tok = DataFixtures.tokenizer("qwen3");
        SampleEncoder encoder = SampleEncoder.of(tok, DataFixtures.template("text/templates/qwen2_5_vl.jinja", specialTokens("qwen3")),
                DataFixtures.processor("qwen2_5_vl"), "qwen2_5_vl", Map.of());
        List<Message> oneImagePart = List.of(Message.parts("user", new Part.Image(), new Part.Text("?")), Message.text("assistant", "A."));
        SampleException missing = assertThrows(SampleException.class,
                () -> encoder.encode(new Sample(oneImagePart, List.of(), "row 7")));
        assertEquals("row 7: the conversation has 1 image part but the sample has 0 images; each {\"type\": \"image\"} part "
                + "takes the next image, in order", missing.getMessage());
        List<Message> noImagePart = List.of(Message.text("user", "?"), Message.text("assistant", "A."));
        SampleException extra = assertThrows(SampleException.class, () -> encoder.encode(
                new Sample(noImagePart, List.of(new ImageSource.Decoded(DataFixtures.image(8, 8))), "row 8")));
        assertTrue(extra.getMessage().startsWith("row 8: the conversation has 0 image parts but the sample has 1 image;"), extra.getMessage());
    }

    @Test
    void literalPlaceholderInTextIsReportedInsteadOfMisaligningImages() {
        Tokenizer tok = DataFixtures.tokenizerWithSpecialTokens("llama2", List.of("<image>"));
        SampleEncoder encoder = SampleEncoder.of(tok, DataFixtures.template("data/templates/llava_1_5.jinja", specialTokens("llama2")),
                DataFixtures.processor("llava"), "llava", Map.of());
        List<Message> conversation = List.of(Message.parts("user", new Part.Image(), new Part.Text("What is <image>?")),
                Message.parts("assistant", new Part.Text("A tag.")));
        SampleException e = assertThrows(SampleException.class,
                () -> encoder.encode(DataFixtures.sample(conversation, DataFixtures.image(8, 8))));
        assertTrue(e.getMessage().contains("holds 2 image placeholders (\"<image>\") but the sample has 1 image"), e.getMessage());
    }

    @Test
    void textOnlyModelRejectsImages() {
        SampleEncoder encoder = SampleEncoder.of(DataFixtures.tokenizer("qwen3"), ChatTemplate.load(TestData.tokenizerDir("qwen3")),
                null, "qwen3", Map.of());
        List<Message> conversation = List.of(Message.parts("user", new Part.Image()), Message.text("assistant", "A."));
        SampleException e = assertThrows(SampleException.class,
                () -> encoder.encode(DataFixtures.sample(conversation, DataFixtures.image(8, 8))));
        assertEquals("test: model_type qwen3 is a text-only model, but the sample has 1 image(s)", e.getMessage());
    }

    @Test
    void templateThatRewritesTheAnswerIsReported() {
        Tokenizer tok = DataFixtures.tokenizer("qwen3");
        ChatTemplate upper = ChatTemplate.of("{% for m in messages %}{{ m['role'] }}: {{ m['content'] | upper }}\n{% endfor %}");
        SampleEncoder encoder = SampleEncoder.of(tok, upper, null, "qwen2", Map.of());
        SampleException e = assertThrows(SampleException.class, () -> encoder.encode(
                DataFixtures.sample(List.of(Message.text("user", "hi"), Message.text("assistant", "hello")))));
        assertTrue(e.getMessage().startsWith("test: assistant message 2 (\"hello\") does not appear verbatim"), e.getMessage());
    }

    @Test
    void undecodableImageNamesTheSample() {
        Tokenizer tok = DataFixtures.tokenizer("qwen3");
        SampleEncoder encoder = SampleEncoder.of(tok, DataFixtures.template("text/templates/qwen2_5_vl.jinja", specialTokens("qwen3")),
                DataFixtures.processor("qwen2_5_vl"), "qwen2_5_vl", Map.of());
        Sample sample = new Sample(List.of(Message.parts("user", new Part.Image()), Message.text("assistant", "A.")),
                List.of(new ImageSource.Encoded("not an image".getBytes(), "train.parquet row 4 column image")), "train.parquet row 4");
        SampleException e = assertThrows(SampleException.class, () -> encoder.encode(sample));
        assertTrue(e.getMessage().startsWith("train.parquet row 4: image 1: train.parquet row 4 column image: not an image"), e.getMessage());
    }

    @Test
    void loadReadsModelTypeProcessorAndPadIdFromTheModelDirectory() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("jvlm-encoder");
        java.nio.file.Path qwen = TestData.tokenizerDir("qwen3");
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            java.nio.file.Files.copy(qwen.resolve(f), dir.resolve(f));
        }
        java.nio.file.Path model = TestData.resource("models/qwen2_5_vl");
        for (String f : List.of("config.json", "preprocessor_config.json")) {
            java.nio.file.Files.copy(model.resolve(f), dir.resolve(f));
        }
        java.nio.file.Files.copy(TestData.resource("text/templates/qwen2_5_vl.jinja"), dir.resolve("chat_template.jinja"));
        SampleEncoder encoder = SampleEncoder.load(dir);
        assertEquals("qwen2_5_vl", encoder.modelType());
        assertEquals(DataFixtures.tokenizer("qwen3").padId(), encoder.padId());
        EncodedSample s = encoder.encode(DataFixtures.sample(IMAGE_CONVERSATION, DataFixtures.image(40, 30)));
        assertEquals(List.of("A gradient.<|im_end|>", " Yes, sure. <|im_end|>"), DataFixtures.labelledRuns(s, DataFixtures.tokenizer("qwen3")));
    }

    private static int lastIndexOf(int[] ids, int id) {
        for (int t = ids.length - 1; t >= 0; t--) {
            if (ids[t] == id) {
                return t;
            }
        }
        return -1;
    }

    @Test
    void labelsEqualInputIdsWhereSet() {
        Tokenizer tok = DataFixtures.tokenizer("gemma3");
        SampleEncoder encoder = SampleEncoder.of(tok, ChatTemplate.load(TestData.tokenizerDir("gemma3")),
                DataFixtures.processor("gemma3"), "gemma3", Map.of());
        EncodedSample s = encoder.encode(DataFixtures.sample(IMAGE_CONVERSATION, DataFixtures.image(40, 30)));
        int[] expected = s.inputIds().clone();
        for (int t = 0; t < expected.length; t++) {
            if (s.labels()[t] == Ops.IGNORE_INDEX) {
                expected[t] = Ops.IGNORE_INDEX;
            }
        }
        assertArrayEquals(expected, s.labels());
        assertEquals(9, s.labelledTokens(), "A| gradient|.|<end_of_turn> and Yes|,| sure|.|<end_of_turn>");
    }
}
