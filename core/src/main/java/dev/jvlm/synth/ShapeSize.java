package dev.jvlm.synth;

/** Two sizes only, far apart, so that "small" and "large" never need a judgement call. */
public enum ShapeSize {
    SMALL("small", 0.5),
    LARGE("large", 0.85);

    private final String word;
    private final double cellFraction;

    ShapeSize(String word, double cellFraction) {
        this.word = word;
        this.cellFraction = cellFraction;
    }

    public String word() {
        return word;
    }

    /** The width of the shape's bounding square as a fraction of a grid cell's width. */
    double cellFraction() {
        return cellFraction;
    }
}
