package dev.jvlm.text;

/** A range {@code [start, end)} of a piece of text, and whether a split pattern matched it. */
record PatternMatch(int start, int end, boolean isMatch) {

    PatternMatch inverted() {
        return new PatternMatch(start, end, !isMatch);
    }
}
