package dev.jvlm.synth;

/** The kinds of shape a scene can hold; their outlines differ enough to tell apart at a few pixels. */
public enum ShapeKind {
    CIRCLE("circle", "circles"),
    SQUARE("square", "squares"),
    TRIANGLE("triangle", "triangles"),
    STAR("star", "stars"),
    CROSS("cross", "crosses");

    private final String word;
    private final String plural;

    ShapeKind(String word, String plural) {
        this.word = word;
        this.plural = plural;
    }

    /** The noun in questions, answers and captions. */
    public String word() {
        return word;
    }

    public String plural() {
        return plural;
    }
}
