package dev.jvlm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** Both horizontal sums add in the same fixed order, so a kernel may use either and round the same way. */
class LanesTest {
    @Test
    void arraySumIsBitwiseTheVectorSum() {
        int l = FloatVector.SPECIES_PREFERRED.length();
        SplittableRandom random = new SplittableRandom(3);
        for (int trial = 0; trial < 1000; trial++) {
            float[] a = new float[l + 5];
            for (int i = 0; i < a.length; i++) {
                // Mixed magnitudes make the order of additions visible in the rounding.
                a[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-4, 5)));
            }
            float fromVector = Lanes.sum(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, a, 5));
            float sequential = 0;
            for (int i = 5; i < a.length; i++) {
                sequential += a[i];
            }
            float fromArray = Lanes.sum(a, 5);
            assertEquals(Float.floatToIntBits(fromVector), Float.floatToIntBits(fromArray), "trial " + trial);
            if (trial == 0) {
                assertEquals(sequential, fromArray, Math.abs(sequential) * 1e-5 + 1e-3, "it is a sum");
            }
        }
    }
}
