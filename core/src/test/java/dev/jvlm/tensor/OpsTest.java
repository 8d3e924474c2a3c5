package dev.jvlm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OpsTest {

    @Test
    void erfMatchesKnownValues() {
        // Values of erf from Abramowitz & Stegun, table 7.1.
        assertEquals(0.0, Ops.erf(0), 1.5e-7);
        assertEquals(0.1124629160, Ops.erf(0.1), 1.5e-7);
        assertEquals(0.5204998778, Ops.erf(0.5), 1.5e-7);
        assertEquals(0.8427007929, Ops.erf(1.0), 1.5e-7);
        assertEquals(0.9953222650, Ops.erf(2.0), 1.5e-7);
        assertEquals(-0.8427007929, Ops.erf(-1.0), 1.5e-7);
    }

    @Test
    void activationsFollowTheirDefinitions() {
        assertEquals(0.7310585786 * 1, Ops.Activation.SILU.apply(1f), 1e-6);
        assertEquals(0.8413447461, Ops.Activation.GELU.apply(1f), 1e-6);
        assertEquals(0.8411919906, Ops.Activation.GELU_TANH.apply(1f), 1e-6);
        assertEquals(1 / (1 + Math.exp(-1.702)), Ops.Activation.QUICK_GELU.apply(1f), 1e-6);
        assertEquals(0f, Ops.Activation.RELU.apply(-2f));
        assertEquals(Ops.Activation.GELU_TANH, Ops.Activation.parse("gelu_pytorch_tanh"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ops.Activation.parse("mish"));
        assertEquals("activation \"mish\" is not supported (expected silu, gelu, gelu_pytorch_tanh, quick_gelu or relu)", e.getMessage());
    }

    @Test
    void rmsNormWithAndWithoutGemmaOffset() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, -1, -1, -1, -1}, 2, 4);
        Tensor w = Tensor.of(new float[] {1, 0.5f, 2, 0}, 4);
        Tensor y = Ops.rmsNorm(x, w, 0f, 0f);
        double rms = Math.sqrt((1 + 4 + 9 + 16) / 4.0);
        assertEquals(1 / rms, y.getFloat(0), 1e-6);
        assertEquals(2 / rms * 0.5, y.getFloat(1), 1e-6);
        assertEquals(0, y.getFloat(3), 1e-6);
        Tensor g = Ops.rmsNorm(x, w, 0f, 1f);
        assertEquals(-1 * 3, g.getFloat(6), 1e-6);
        assertEquals(-1, g.getFloat(7), 1e-6);
    }

    @Test
    void layerNormCentresAndScales() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4);
        Tensor y = Ops.layerNorm(x, Tensor.of(new float[] {1, 1, 1, 2}, 4), Tensor.of(new float[] {0, 0, 0, 1}, 4), 0f);
        double sd = Math.sqrt(1.25);
        assertEquals(-1.5 / sd, y.getFloat(0), 1e-6);
        assertEquals(2 * 1.5 / sd + 1, y.getFloat(3), 1e-6);
    }

    @Test
    void rotaryRotatesHalvesByTheTables() {
        float[] x = {1, 2, 3, 4};
        float[] cos = {0.5f, 0.25f, 0.5f, 0.25f};
        float[] sin = {0.1f, 0.2f, 0.1f, 0.2f};
        Ops.applyRotary(x, 1, 1, 4, cos, sin);
        assertEquals(1 * 0.5 - 3 * 0.1, x[0], 1e-6);
        assertEquals(2 * 0.25 - 4 * 0.2, x[1], 1e-6);
        assertEquals(3 * 0.5 + 1 * 0.1, x[2], 1e-6);
        assertEquals(4 * 0.25 + 2 * 0.2, x[3], 1e-6);
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals((short) 0x3f80, Tensor.floatToBf16(1.0f));
        assertEquals((short) 0x3f80, Tensor.floatToBf16(Float.intBitsToFloat(0x3f808000)));
        assertEquals((short) 0x3f82, Tensor.floatToBf16(Float.intBitsToFloat(0x3f818000)));
        assertEquals((short) 0x3f81, Tensor.floatToBf16(Float.intBitsToFloat(0x3f808001)));
        assertEquals(1.0f, Tensor.bf16ToFloat((short) 0x3f80));
    }
}
