package dev.jvlm.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Draws random scenes and assigns each scene layout to its split. */
final class SceneGenerator {
    /** Background grey levels: light, so every palette colour stands out. */
    private static final int MIN_GRAY = 205;
    private static final int MAX_GRAY = 250;
    private static final int[] NOISE_AMPLITUDES = {0, 4, 8};
    /**
     * Chance that a shape repeats the kind of an earlier one. Independent kinds would make three or
     * four shapes of one kind so rare that "How many stars are there?" would almost never be "3".
     */
    private static final double REPEAT_KIND = 1 / 3.0;
    /** Of every ten layout buckets, one is held out for test and one for validation. */
    private static final int BUCKETS = 10;

    private SceneGenerator() {
    }

    static Scene randomScene(Random rng) {
        int count = 1 + rng.nextInt(Scene.MAX_SHAPES);
        Position[] cells = Position.values();
        ShapeKind[] kinds = ShapeKind.values();
        ShapeColor[] colors = ShapeColor.values();
        ShapeSize[] sizes = ShapeSize.values();
        List<Shape> shapes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            // A partial Fisher–Yates shuffle picks distinct cells.
            int pick = i + rng.nextInt(cells.length - i);
            Position cell = cells[pick];
            cells[pick] = cells[i];
            cells[i] = cell;
            ShapeKind kind = i > 0 && rng.nextDouble() < REPEAT_KIND
                    ? shapes.get(rng.nextInt(i)).kind()
                    : kinds[rng.nextInt(kinds.length)];
            shapes.add(new Shape(kind, colors[rng.nextInt(colors.length)], sizes[rng.nextInt(sizes.length)], cell,
                    2 * rng.nextDouble() - 1, 2 * rng.nextDouble() - 1));
        }
        int gray = MIN_GRAY + rng.nextInt(MAX_GRAY - MIN_GRAY + 1);
        int noise = NOISE_AMPLITUDES[rng.nextInt(NOISE_AMPLITUDES.length)];
        return new Scene(shapes, gray, noise, rng.nextLong());
    }

    /**
     * The split a scene's layout belongs to: a fixed hash of its shapes' kinds, colours, sizes and
     * cells (not of offsets or background, which do not make a scene new). The seed plays no part, so
     * no seed can put a test layout into training.
     */
    static Split splitOf(Scene scene) {
        long h = 0;
        for (Shape s : scene.shapes()) {
            long code = ((s.position().ordinal() * (long) ShapeKind.values().length + s.kind().ordinal())
                    * ShapeColor.values().length + s.color().ordinal()) * ShapeSize.values().length + s.size().ordinal();
            h = mix(h * 1_000_003 + code);
        }
        long bucket = Long.remainderUnsigned(h, BUCKETS);
        return bucket == 0 ? Split.TEST : bucket == 1 ? Split.VAL : Split.TRAIN;
    }

    /** Seeds the example at {@code index} of {@code split}: one independent stream per example. */
    static long exampleSeed(long seed, Split split, int index) {
        return mix(mix(mix(seed) + split.ordinal()) + index);
    }

    /** SplitMix64's finalizer: spreads nearby inputs over all 64 bits. */
    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
