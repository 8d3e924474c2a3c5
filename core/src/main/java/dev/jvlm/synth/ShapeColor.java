package dev.jvlm.synth;

/**
 * The palette: saturated colours far apart from each other and from the light grey backgrounds, each
 * with one unambiguous name, so that a tiny model can learn the names from the pixels.
 */
public enum ShapeColor {
    RED("red", 0xD7191C),
    GREEN("green", 0x1A9641),
    BLUE("blue", 0x1E5ADC),
    YELLOW("yellow", 0xF5CD14),
    PURPLE("purple", 0x8C3CB4),
    BLACK("black", 0x141414);

    private final String word;
    private final int rgb;

    ShapeColor(String word, int rgb) {
        this.word = word;
        this.rgb = rgb;
    }

    public String word() {
        return word;
    }

    /** 0xRRGGBB. */
    public int rgb() {
        return rgb;
    }
}
