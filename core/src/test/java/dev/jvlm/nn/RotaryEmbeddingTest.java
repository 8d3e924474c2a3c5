package dev.jvlm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import org.junit.jupiter.api.Test;

class RotaryEmbeddingTest {

    static RotaryEmbedding rope(String scaling, int headDim, int maxPos) {
        return RotaryEmbedding.fromConfig(10000, scaling == null ? null : Json.parse(scaling, "test"), headDim, 1.0, maxPos, "test");
    }

    /** cos of frequency i at one position. */
    static double cos(RotaryEmbedding r, int position, int i) {
        return r.tables(new int[][] {{position}}, 1)[0][i];
    }

    @Test
    void defaultFrequenciesAreThetaPowers() {
        RotaryEmbedding r = rope(null, 8, 100);
        for (int i = 0; i < 4; i++) {
            double inv = 1 / Math.pow(10000, 2.0 * i / 8);
            assertEquals(Math.cos(5 * inv), cos(r, 5, i), 1e-6);
            assertEquals(Math.cos(5 * inv), cos(r, 5, i + 4), 1e-6);
        }
    }

    @Test
    void linearScalingDividesPositions() {
        RotaryEmbedding plain = rope(null, 8, 100);
        RotaryEmbedding linear = rope("{\"rope_type\": \"linear\", \"factor\": 4.0}", 8, 100);
        for (int i = 0; i < 4; i++) {
            assertEquals(cos(plain, 3, i), cos(linear, 12, i), 1e-6);
        }
    }

    @Test
    void dynamicScalingOnlyBeyondTheTrainedLength() {
        RotaryEmbedding plain = rope(null, 8, 16);
        RotaryEmbedding dynamic = rope("{\"type\": \"dynamic\", \"factor\": 2.0}", 8, 16);
        assertEquals(cos(plain, 10, 3), cos(dynamic, 10, 3), 0);
        double base = 10000 * Math.pow(2.0 * 40 / 16 - 1, 8.0 / 6);
        assertEquals(Math.cos(39 / Math.pow(base, 6.0 / 8)), cos(dynamic, 39, 3), 1e-5);
    }

    @Test
    void llama3KeepsHighFrequenciesAndScalesLowOnes() {
        RotaryEmbedding plain = rope(null, 64, 8192);
        RotaryEmbedding l3 = rope("{\"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 1.0,"
                + " \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 8192}", 64, 131072);
        assertEquals(cos(plain, 100, 0), cos(l3, 100, 0), 1e-6);
        // wavelength of the lowest frequency is far above 8192: divided by the factor
        double lowest = 1 / Math.pow(10000, 62.0 / 64) / 8;
        assertEquals(Math.cos(1000 * (float) lowest), cos(l3, 1000, 31), 1e-4);
    }

    @Test
    void yarnScalesAttentionAndInterpolatesLowFrequencies() {
        RotaryEmbedding yarn = rope("{\"rope_type\": \"yarn\", \"factor\": 4.0}", 64, 4096);
        double mscale = 0.1 * Math.log(4) + 1;
        assertEquals(mscale, cos(yarn, 0, 0), 1e-6, "cos(0) carries the attention factor");
        double lowestInterpolated = 1 / (4 * Math.pow(10000, 62.0 / 64));
        assertEquals(mscale * Math.cos(500 * lowestInterpolated), cos(yarn, 500, 31), 1e-4);
        assertEquals(mscale * Math.cos(3.0), cos(yarn, 3, 0), 1e-5, "highest frequency extrapolated");
    }

    @Test
    void multimodalSectionsPickTheirAxis() {
        RotaryEmbedding m = RotaryEmbedding.fromConfig(10000, Json.parse("{\"type\": \"mrope\", \"mrope_section\": [1, 1, 2]}", "t"),
                8, 1.0, 100, "t");
        float[] cos = m.tables(new int[][] {{2}, {5}, {7}}, 1)[0];
        assertEquals(Math.cos(2), cos[0], 1e-6);
        assertEquals(Math.cos(5 / Math.pow(10000, 2.0 / 8)), cos[1], 1e-6);
        assertEquals(Math.cos(7 / Math.pow(10000, 4.0 / 8)), cos[2], 1e-6);
        assertEquals(Math.cos(7 / Math.pow(10000, 6.0 / 8)), cos[3], 1e-6);
        assertEquals(cos[1], cos[5]);
    }

    @Test
    void unknownTypeIsAClearError() {
        String m = assertThrows(JvlmException.class, () -> rope("{\"rope_type\": \"longrope\"}", 8, 10)).getMessage();
        assertTrue(m.contains("rope_scaling type \"longrope\" is not supported"), m);
    }
}
