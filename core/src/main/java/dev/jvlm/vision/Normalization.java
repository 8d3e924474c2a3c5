package dev.jvlm.vision;

/**
 * The {@code do_rescale}, {@code rescale_factor}, {@code do_normalize}, {@code image_mean} and
 * {@code image_std} settings: Hugging Face's {@code rescale} then {@code normalize}.
 *
 * <p>The arithmetic follows numpy's so that results match to the last bit: the rescale is
 * computed in float64 and stored as float32; {@code (x - mean) / std} is float32 throughout, with
 * mean and std rounded to float32 first.
 */
public record Normalization(boolean doRescale, double rescaleFactor, boolean doNormalize, double[] mean, double[] std) {

    public Normalization {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("image_mean and image_std need one value per RGB channel");
        }
        mean = mean.clone();
        std = std.clone();
    }

    static Normalization fromConfig(ConfigJson c, double[] defaultMean, double[] defaultStd) {
        return new Normalization(c.bool("do_rescale", true), c.number("rescale_factor", 1.0 / 255),
                c.bool("do_normalize", true), c.channelValues("image_mean", defaultMean),
                c.channelValues("image_std", defaultStd));
    }

    /** Writes 8-bit RGB {@code rgb} as [3, height, width] floats into {@code out} from {@code offset}. */
    void writeChannelsFirst(DecodedImage rgb, float[] out, int offset) {
        byte[] s = rgb.samples();
        int plane = rgb.width() * rgb.height();
        for (int c = 0; c < 3; c++) {
            float m = (float) mean[c];
            float sd = (float) std[c];
            int base = offset + c * plane;
            for (int i = 0; i < plane; i++) {
                int v = s[3 * i + c] & 0xFF;
                float x = doRescale ? (float) (v * rescaleFactor) : v;
                out[base + i] = doNormalize ? (x - m) / sd : x;
            }
        }
    }
}
