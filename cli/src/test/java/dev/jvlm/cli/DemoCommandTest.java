package dev.jvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.api.Conversation;
import dev.jvlm.api.Images;
import dev.jvlm.api.Vlm;
import dev.jvlm.io.ModelLocator;
import dev.jvlm.synth.Example;
import dev.jvlm.synth.QuestionType;
import dev.jvlm.synth.Split;
import dev.jvlm.synth.SynthConfig;
import dev.jvlm.synth.SynthDataset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shipped demo model: the README's first command works, and its held-out accuracy is what docs/DEMO.md states. */
class DemoCommandTest {

    @Test
    void demoAnswersTheShippedSamples() {
        CliRunner r = CliRunner.run("demo");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(8, lines.size(), r.out());
        assertTrue(lines.getLast().matches("\\d of 6 answered correctly"), r.out());
    }

    /**
     * Exact match on 120 regenerated held-out questions (seed 1, the test split the training never saw):
     * the shipped model scores 0.97 on these 120 and 0.93 on 240 (docs/DEMO.md); the floor stated here is 0.85.
     */
    @Test
    void heldOutAccuracyIsAboveTheStatedFloor() {
        Vlm vlm = Vlm.load(ModelLocator.defaultModel().toString());
        SynthDataset data = new SynthDataset(new SynthConfig(1, SynthConfig.DEFAULT_IMAGE_SIZE, QuestionType.QUESTIONS));
        int correct = 0;
        int n = 120;
        for (int i = 0; i < n; i++) {
            Example e = data.example(Split.TEST, i);
            Conversation c = new Conversation().user(e.question(), List.of(Images.decode(data.png(e), e.imagePath())));
            correct += vlm.reply(c, vlm.defaultSampling(), null).text().strip().equals(e.answer()) ? 1 : 0;
        }
        double accuracy = correct / (double) n;
        assertTrue(accuracy >= 0.85, "held-out exact match " + accuracy);
    }
}
