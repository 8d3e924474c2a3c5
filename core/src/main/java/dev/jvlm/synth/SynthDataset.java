package dev.jvlm.synth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedSet;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A synthetic visual question-answering task that a tiny vision-language model can learn on a CPU:
 * images of one to four coloured shapes on a 3×3 grid, with questions about colour, count, position,
 * existence, shape and size, and canonical captions.
 *
 * <p>Every example is a pure function of (seed, question types, split, index): it can be regenerated
 * alone, in any order, on any machine. The question type cycles with the index so every type is
 * equally common; the question and then its answer are drawn uniformly before a scene is drawn that
 * has that answer, so no answer is more common than another for the same question. Scene layouts
 * are partitioned between splits, so held-out layouts never occur in training.
 */
public final class SynthDataset {
    /**
     * Scenes tried per example before giving up. The rarest answer (four shapes of one kind, in a
     * held-out split) takes about two thousand tries on average; reaching this bound means a bug.
     */
    private static final int MAX_ATTEMPTS = 1_000_000;

    private final SynthConfig config;
    private final List<QuestionType> types;

    public SynthDataset(SynthConfig config) {
        this.config = config;
        this.types = List.copyOf(config.types());
    }

    public SynthConfig config() {
        return config;
    }

    /** The example at {@code index} (from 0) of {@code split}. */
    public Example example(Split split, int index) {
        if (index < 0) {
            throw new IllegalArgumentException("example index must be non-negative, got " + index);
        }
        Random rng = new Random(SceneGenerator.exampleSeed(config.seed(), split, index));
        QuestionType type = types.get(index % types.size());
        if (type == QuestionType.CAPTION) {
            Scene scene = sceneOf(split, rng, s -> true);
            return new Example(split, index, scene, type, Annotator.CAPTION_PROMPT, Annotator.caption(scene));
        }
        List<Annotator.Question> questions = Annotator.questions(type);
        Annotator.Question question = questions.get(rng.nextInt(questions.size()));
        if (question.answers().isEmpty()) {
            // A sentence answer: any scene the question fits.
            Scene scene = sceneOf(split, rng, s -> question.answer(s).isPresent());
            return new Example(split, index, scene, type, question.text(), question.answer(scene).orElseThrow());
        }
        String answer = question.answers().get(rng.nextInt(question.answers().size()));
        Scene scene = sceneOf(split, rng, s -> question.answer(s).filter(answer::equals).isPresent());
        return new Example(split, index, scene, type, question.text(), answer);
    }

    /** Draws scenes until one of {@code split}'s layouts passes {@code wanted}. */
    private static Scene sceneOf(Split split, Random rng, Predicate<Scene> wanted) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Scene scene = SceneGenerator.randomScene(rng);
            if (SceneGenerator.splitOf(scene) == split && wanted.test(scene)) {
                return scene;
            }
        }
        throw new IllegalStateException("no " + split.key() + " scene found in " + MAX_ATTEMPTS + " tries");
    }

    /** The example's image as PNG bytes at the configured size. */
    public byte[] png(Example example) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        // ImageIO.write would buffer through a temporary file; a memory cache is several times faster.
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(example.scene().render(config.imageSize()));
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding failed in memory", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /**
     * Writes {@code counts.get(split)} examples of each split as {@code output/<split>.jsonl} with
     * images under {@code output/images/}, plus {@code synth.json} recording how to regenerate them.
     * {@code output} must not exist or be empty; it appears complete or not at all.
     */
    public void write(Path output, Map<Split, Integer> counts) {
        DatasetWriter.write(this, counts, output, this::png);
    }

    /**
     * Every word the generator can write in a question, answer or caption, as {@link #words} splits
     * them: enough to build a tokenizer that covers the task.
     */
    public static SortedSet<String> vocabulary() {
        return Vocabulary.words();
    }

    /** Splits text into words: runs of letters, digits and hyphens, and single punctuation marks. */
    public static List<String> words(String text) {
        return Vocabulary.split(text);
    }
}
