package dev.jvlm.synth;

import java.awt.image.BufferedImage;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A scene: one to four shapes in distinct grid cells on a light grey background with optional noise.
 * The shapes are kept in reading order of their cells, which is also the order a caption names them.
 *
 * @param backgroundGray the background's grey level, 0–255
 * @param noiseAmplitude the background texture: each pixel's grey level moves by up to this much
 * @param noiseSeed      seeds the texture, so that rendering is a pure function of the scene
 */
public record Scene(List<Shape> shapes, int backgroundGray, int noiseAmplitude, long noiseSeed) {
    public static final int MAX_SHAPES = 4;

    public Scene {
        if (shapes.isEmpty() || shapes.size() > MAX_SHAPES) {
            throw new IllegalArgumentException("a scene holds 1 to " + MAX_SHAPES + " shapes, got " + shapes.size());
        }
        Set<Position> cells = EnumSet.noneOf(Position.class);
        for (Shape shape : shapes) {
            if (!cells.add(shape.position())) {
                throw new IllegalArgumentException("two shapes in cell " + shape.position().word());
            }
        }
        if (backgroundGray < 0 || backgroundGray > 255 || noiseAmplitude < 0 || noiseAmplitude > 255) {
            throw new IllegalArgumentException("grey level and noise must lie in 0..255, got " + backgroundGray + ", " + noiseAmplitude);
        }
        shapes = shapes.stream().sorted(Comparator.comparing(Shape::position)).toList();
    }

    /** Draws the scene on a square image of {@code size} pixels; the same scene gives the same pixels on every machine. */
    public BufferedImage render(int size) {
        return SceneRenderer.render(this, size);
    }
}
