package dev.jvlm.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jvlm.api.Images;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.io.RandomWeights;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.tensor.DType;
import dev.jvlm.text.ChatTemplate;
import dev.jvlm.text.Tokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoModelFilesTest {
    @TempDir
    Path dir;

    @Test
    void tokenizerCoversEveryWordOfTheTaskAndTheTemplate() {
        DemoModelFiles.write(dir);
        Tokenizer tok = Tokenizer.load(dir);
        int unk = tok.tokenId("<unk>");
        List<String> vocab = DemoModelFiles.vocabulary();
        assertEquals(vocab.size(), tok.vocabSize());
        for (String word : SynthDataset.vocabulary()) {
            assertArrayEquals(new int[] {vocab.indexOf(word)}, tok.encode(word, false), word);
        }
        SynthDataset data = new SynthDataset(new SynthConfig(3));
        ChatTemplate template = ChatTemplate.load(dir);
        for (int i = 0; i < 30; i++) {
            Example e = data.example(Split.TRAIN, i);
            List<Map<String, Object>> messages = List.of(
                    Map.of("role", "user", "content", List.of(Map.of("type", "image"), Map.of("type", "text", "text", e.question()))),
                    Map.of("role", "assistant", "content", List.of(Map.of("type", "text", "text", e.answer()))));
            String prompt = template.render(messages, false, Map.of());
            int[] ids = tok.encode(prompt, true);
            assertFalse(Arrays.stream(ids).anyMatch(id -> id == unk), prompt);
            assertEquals("<|im_start|>User:<image>" + e.question() + "<end_of_utterance>\nAssistant: " + e.answer()
                    + "<end_of_utterance>\n", prompt);
            assertEquals(e.answer(), tok.decode(tok.encode(e.answer(), false), true));
        }
    }

    @Test
    void configProcessorAndTemplateFitTogether() {
        DemoModelFiles.write(dir);
        SynthDataset data = new SynthDataset(new SynthConfig(1));
        byte[] png = data.png(data.example(Split.TEST, 0));
        var processed = Images.process(Images.processor(dir), List.of(Images.decode(png, "test_000000.png")));
        assertEquals(DemoModelFiles.imageSeqLen(), processed.summaries().getFirst().numImageTokens());
        LanguageModel lm = LanguageModel.create(ConfigNode.read(dir.resolve("config.json")), new RandomWeights(1, 0.02, DType.F32));
        assertEquals(DemoModelFiles.vocabulary().size(), lm.config().vocabSize());
    }
}
