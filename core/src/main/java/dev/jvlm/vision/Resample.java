package dev.jvlm.vision;

/**
 * Pillow's resampling filters, numbered as {@code PIL.Image.Resampling} (and so as the
 * {@code resample} key of Hugging Face's {@code preprocessor_config.json}).
 */
public enum Resample {
    NEAREST(0),
    LANCZOS(1),
    BILINEAR(2),
    BICUBIC(3),
    BOX(4),
    HAMMING(5);

    private final int pillowCode;

    Resample(int pillowCode) {
        this.pillowCode = pillowCode;
    }

    /** The number Pillow and {@code preprocessor_config.json} use for this filter. */
    public int pillowCode() {
        return pillowCode;
    }

    /** The filter Pillow numbers {@code code}. */
    public static Resample fromPillowCode(int code) {
        for (Resample r : values()) {
            if (r.pillowCode == code) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown Pillow resampling filter " + code + " (expected 0 to 5)");
    }
}
