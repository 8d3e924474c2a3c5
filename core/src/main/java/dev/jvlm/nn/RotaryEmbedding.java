package dev.jvlm.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.JvlmException;

/**
 * Rotary position embedding tables, computed as Hugging Face's {@code ROPE_INIT_FUNCTIONS} do for the
 * {@code rope_scaling} types default, linear, dynamic, llama3 and yarn, in float32. With
 * {@code mropeSection} set (Qwen2-VL), each frequency takes its position from the temporal, height or
 * width axis of three-row position ids.
 */
public final class RotaryEmbedding {
    private final String type;
    private final float[] baseInvFreq;
    private final float attentionScaling;
    private final int headDim;
    private final int[] mropeSection;
    // dynamic NTK: the frequencies depend on the longest position seen
    private final double theta;
    private final double dynamicFactor;
    private final int originalMaxPositions;

    private RotaryEmbedding(String type, float[] invFreq, float attentionScaling, int headDim, int[] mropeSection,
                            double theta, double dynamicFactor, int originalMaxPositions) {
        this.type = type;
        this.baseInvFreq = invFreq;
        this.attentionScaling = attentionScaling;
        this.headDim = headDim;
        this.mropeSection = mropeSection;
        this.theta = theta;
        this.dynamicFactor = dynamicFactor;
        this.originalMaxPositions = originalMaxPositions;
    }

    /**
     * Builds the embedding for a config's {@code rope_theta}, {@code rope_scaling} (may be null/missing),
     * head dimension, partial rotary factor and {@code max_position_embeddings}.
     */
    public static RotaryEmbedding fromConfig(double theta, JsonNode ropeScaling, int headDim, double partialRotaryFactor,
                                             int maxPositionEmbeddings, String where) {
        int dim = (int) (headDim * partialRotaryFactor);
        if (dim != headDim) {
            throw new JvlmException(where + ": partial_rotary_factor " + partialRotaryFactor + " is not supported");
        }
        String type = "default";
        if (ropeScaling != null && !ropeScaling.isNull()) {
            type = ropeScaling.has("rope_type") ? ropeScaling.get("rope_type").asText() : ropeScaling.path("type").asText("default");
        }
        int[] section = null;
        if (ropeScaling != null && ropeScaling.has("mrope_section")) {
            JsonNode s = ropeScaling.get("mrope_section");
            section = new int[s.size()];
            int sum = 0;
            for (int i = 0; i < section.length; i++) {
                section[i] = s.get(i).asInt();
                sum += section[i];
            }
            if (section.length != 3 || sum != headDim / 2) {
                throw new JvlmException(where + ": rope_scaling.mrope_section " + s + " must have 3 entries summing to head_dim/2 = " + headDim / 2);
            }
            if (type.equals("mrope")) {
                type = "default";
            }
        }
        float[] inv = defaultInvFreq(theta, dim);
        float scaling = 1f;
        double dynFactor = 0;
        int origMax = maxPositionEmbeddings;
        switch (type) {
            case "default" -> {
            }
            case "linear" -> {
                float factor = (float) required(ropeScaling, "factor", where);
                for (int i = 0; i < inv.length; i++) {
                    inv[i] /= factor;
                }
            }
            case "dynamic" -> dynFactor = required(ropeScaling, "factor", where);
            case "llama3" -> inv = llama3(inv, ropeScaling, where);
            case "yarn" -> {
                double factor = required(ropeScaling, "factor", where);
                if (ropeScaling.has("original_max_position_embeddings")) {
                    origMax = ropeScaling.get("original_max_position_embeddings").asInt();
                    factor = (double) maxPositionEmbeddings / origMax;
                }
                double attentionFactor;
                if (ropeScaling.hasNonNull("attention_factor")) {
                    attentionFactor = ropeScaling.get("attention_factor").asDouble();
                } else if (ropeScaling.hasNonNull("mscale") && ropeScaling.hasNonNull("mscale_all_dim")
                        && ropeScaling.get("mscale").asDouble() != 0 && ropeScaling.get("mscale_all_dim").asDouble() != 0) {
                    attentionFactor = yarnMscale(factor, ropeScaling.get("mscale").asDouble())
                            / yarnMscale(factor, ropeScaling.get("mscale_all_dim").asDouble());
                } else {
                    attentionFactor = yarnMscale(factor, 1);
                }
                double betaFast = ropeScaling.hasNonNull("beta_fast") ? ropeScaling.get("beta_fast").asDouble() : 32;
                double betaSlow = ropeScaling.hasNonNull("beta_slow") ? ropeScaling.get("beta_slow").asDouble() : 1;
                inv = yarn(theta, dim, factor, betaFast, betaSlow, origMax);
                scaling = (float) attentionFactor;
            }
            default -> throw new JvlmException(where + ": rope_scaling type \"" + type
                    + "\" is not supported (expected default, linear, dynamic, llama3, yarn or mrope)");
        }
        return new RotaryEmbedding(type, inv, scaling, headDim, section, theta, dynFactor, origMax);
    }

    private static double required(JsonNode scaling, String key, String where) {
        if (scaling == null || !scaling.hasNonNull(key)) {
            throw new JvlmException(where + ": rope_scaling needs \"" + key + "\"");
        }
        return scaling.get(key).asDouble();
    }

    /** 1 / theta^(2i/dim), computed in float32 as torch does. */
    public static float[] defaultInvFreq(double theta, int dim) {
        float[] inv = new float[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / dim;
            inv[i] = (float) (1.0 / (float) Math.pow(theta, exponent));
        }
        return inv;
    }

    private static float[] llama3(float[] inv, JsonNode s, String where) {
        double factor = required(s, "factor", where);
        double low = required(s, "low_freq_factor", where);
        double high = required(s, "high_freq_factor", where);
        double oldCtx = required(s, "original_max_position_embeddings", where);
        double lowWavelen = oldCtx / low;
        double highWavelen = oldCtx / high;
        float[] out = new float[inv.length];
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            float scaled = wavelen > lowWavelen ? (float) (inv[i] / factor) : inv[i];
            if (wavelen >= highWavelen && wavelen <= lowWavelen) {
                double smooth = (oldCtx / wavelen - low) / (high - low);
                scaled = (float) ((1 - smooth) * scaled / factor + smooth * scaled);
            }
            out[i] = scaled;
        }
        return out;
    }

    private static double yarnMscale(double scale, double mscale) {
        return scale <= 1 ? 1.0 : 0.1 * mscale * Math.log(scale) + 1.0;
    }

    private static float[] yarn(double base, int dim, double factor, double betaFast, double betaSlow, int origMax) {
        double low = Math.max(Math.floor(correctionDim(betaFast, dim, base, origMax)), 0);
        double high = Math.min(Math.ceil(correctionDim(betaSlow, dim, base, origMax)), dim - 1);
        if (low == high) {
            high += 0.001;
        }
        float[] inv = new float[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            float posFreq = (float) Math.pow(base, (float) (2 * i) / dim);
            float extrapolation = 1f / posFreq;
            float interpolation = (float) (1.0 / (factor * posFreq));
            float ramp = (float) Math.min(1, Math.max(0, (i - low) / (high - low)));
            float extrapolationFactor = 1 - ramp;
            inv[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
        }
        return inv;
    }

    private static double correctionDim(double rotations, int dim, double base, int maxPos) {
        return (dim * Math.log(maxPos / (rotations * 2 * Math.PI))) / (2 * Math.log(base));
    }

    public int headDim() {
        return headDim;
    }

    /** True for Qwen2-VL's multimodal rotary embedding (positions have three rows). */
    public boolean isMultimodal() {
        return mropeSection != null;
    }

    /** The frequencies in effect when the longest sequence so far has {@code seqLen} positions. */
    private float[] invFreq(int seqLen) {
        if (!type.equals("dynamic") || seqLen <= originalMaxPositions) {
            return baseInvFreq;
        }
        double base = theta * Math.pow(dynamicFactor * seqLen / originalMaxPositions - (dynamicFactor - 1),
                (double) headDim / (headDim - 2));
        return defaultInvFreq(base, headDim);
    }

    /**
     * cos and sin tables {@code [n, headDim]} for n tokens. {@code positions[axis][i]} gives token i's
     * position on each axis (one axis for ordinary RoPE, three for M-RoPE).
     */
    public float[][] tables(int[][] positions, int n) {
        int maxPos = 0;
        for (int[] axis : positions) {
            for (int i = 0; i < n; i++) {
                maxPos = Math.max(maxPos, axis[i]);
            }
        }
        float[] inv = invFreq(maxPos + 1);
        int half = headDim / 2;
        float[] cos = new float[n * headDim];
        float[] sin = new float[n * headDim];
        int[] axisOf = new int[half];
        if (mropeSection != null) {
            for (int i = 0, a = 0, end = mropeSection[0]; i < half; i++) {
                while (i >= end) {
                    end += mropeSection[++a];
                }
                axisOf[i] = a;
            }
        }
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < half; i++) {
                int pos = positions[mropeSection != null ? axisOf[i] : 0][t];
                float freq = pos * inv[i];
                float c = (float) Math.cos(freq) * attentionScaling;
                float s = (float) Math.sin(freq) * attentionScaling;
                cos[t * headDim + i] = c;
                cos[t * headDim + i + half] = c;
                sin[t * headDim + i] = s;
                sin[t * headDim + i + half] = s;
            }
        }
        return new float[][] {cos, sin};
    }
}
