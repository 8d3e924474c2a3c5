package dev.jvlm.synth;

import dev.jvlm.JvlmException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an example asks. Every type but {@link #CAPTION} and {@link #DESCRIBE} has a few fixed questions,
 * each with a fixed set of one-word answers; examples draw the question and then its answer uniformly,
 * so that no answer is more likely than another for the same question and guessing scores no better
 * than chance.
 */
public enum QuestionType {
    COLOR, COUNT, POSITION, EXISTENCE, SHAPE, SIZE,
    /** "Describe the image." answered by the scene's one canonical caption. */
    CAPTION,
    /**
     * "How many red shapes are there?": held back from {@code qa} and from the demo model's training, so
     * that fine-tuning the demo model on it (docs/FINETUNE.md) measures a skill the model did not have.
     * Its words all occur in the other questions, so the demo tokenizer covers it.
     */
    COLOR_COUNT,
    /**
     * "Describe the cross." answered by that shape's part of the caption ("a small blue cross at the
     * top"). Balanced answers give a model no reason to read a question's kind or colour word until it
     * also reads the image (either alone predicts nothing), and a model trained from scratch stayed at
     * that saddle: its answers ignored the word asked about (docs/DEMO.md). The answer here starts by
     * repeating the word, which rewards reading it at once.
     */
    DESCRIBE;

    /** The question types that {@code qa} in a task list stands for. */
    public static final Set<QuestionType> QUESTIONS = EnumSet.range(COLOR, SIZE);

    /** The name in JSONL ("question_type") and in task lists. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every answer this type can have; empty for captions and descriptions, whose answers are sentences. */
    public List<String> answers() {
        return Annotator.questions(this).stream().flatMap(q -> q.answers().stream()).distinct().toList();
    }

    /** Every question of this type, in a fixed order; empty for captions. */
    public List<String> questions() {
        return Annotator.questions(this).stream().map(Annotator.Question::text).toList();
    }

    /**
     * Parses a comma-separated task list: {@code qa} (the six question types of {@link #QUESTIONS}),
     * {@code caption}, or single types such as {@code color} or {@code color_count}.
     */
    public static Set<QuestionType> parseTasks(String tasks) {
        Set<QuestionType> types = EnumSet.noneOf(QuestionType.class);
        for (String task : tasks.split(",", -1)) {
            String name = task.strip();
            if (name.equals("qa")) {
                types.addAll(QUESTIONS);
                continue;
            }
            types.add(Arrays.stream(values()).filter(t -> t.key().equals(name)).findFirst()
                    .orElseThrow(() -> new JvlmException("unknown task '" + name + "' in '" + tasks + "'; expected a comma-separated list of qa, "
                            + Arrays.stream(values()).map(QuestionType::key).collect(Collectors.joining(", ")))));
        }
        return types;
    }
}
