package dev.jvlm.synth;

/**
 * One training or evaluation example: a scene and one question about it with its answer. Its index
 * within its split names its image, so ids stay the same when a split is regenerated larger.
 */
public record Example(Split split, int index, Scene scene, QuestionType type, String question, String answer) {

    /** {@code train_000042}. */
    public String id() {
        return "%s_%06d".formatted(split.key(), index);
    }

    /** The image's path relative to the dataset directory: {@code images/train_000042.png}. */
    public String imagePath() {
        return "images/" + id() + ".png";
    }
}
