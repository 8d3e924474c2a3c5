package dev.jvlm.synth;

/**
 * The cells of the 3×3 grid a scene is laid out on, in reading order. Each shape sits inside one
 * cell, so "where" always has exactly one answer; answers are one word (hyphenated for corners) so
 * that they can be scored by exact match.
 */
public enum Position {
    TOP_LEFT("top-left", "at the top-left"),
    TOP("top", "at the top"),
    TOP_RIGHT("top-right", "at the top-right"),
    LEFT("left", "on the left"),
    CENTER("center", "in the center"),
    RIGHT("right", "on the right"),
    BOTTOM_LEFT("bottom-left", "at the bottom-left"),
    BOTTOM("bottom", "at the bottom"),
    BOTTOM_RIGHT("bottom-right", "at the bottom-right");

    private final String word;
    private final String phrase;

    Position(String word, String phrase) {
        this.word = word;
        this.phrase = phrase;
    }

    /** The answer to "Where is the ...?". */
    public String word() {
        return word;
    }

    /** How a caption places a shape here: "on the left". */
    public String phrase() {
        return phrase;
    }

    public int row() {
        return ordinal() / 3;
    }

    public int column() {
        return ordinal() % 3;
    }
}
