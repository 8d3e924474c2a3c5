package dev.jvlm.synth;

import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.Random;

/**
 * Rasterizes scenes. Java2D's fill pipeline may differ between JDKs and platforms (native span
 * code, renderer choice), so pixels are computed here instead: each pixel is sampled on a fixed 4×4
 * grid against the exact Java2D geometry and blended by its coverage in integer arithmetic. Vertex
 * positions use {@link StrictMath}, so the same scene gives the same pixels on every machine.
 */
final class SceneRenderer {
    static final int MIN_SIZE = 32;
    static final int MAX_SIZE = 1024;
    private static final int SUBSAMPLES = 4;
    /** Shapes stay inside this fraction of their cell, so neighbours never touch. */
    private static final double CELL_MARGIN = 0.95;

    private SceneRenderer() {
    }

    static BufferedImage render(Scene scene, int size) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException("image size must be " + MIN_SIZE + " to " + MAX_SIZE + " pixels, got " + size);
        }
        int[] rgb = new int[size * size];
        paintBackground(scene, rgb);
        for (Shape shape : scene.shapes()) {
            paintShape(shape, outline(shape, size), rgb, size);
        }
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, size, size, rgb, 0, size);
        return image;
    }

    private static void paintBackground(Scene scene, int[] rgb) {
        Random noise = new Random(scene.noiseSeed());
        int amplitude = scene.noiseAmplitude();
        for (int i = 0; i < rgb.length; i++) {
            int gray = scene.backgroundGray() + (amplitude == 0 ? 0 : noise.nextInt(2 * amplitude + 1) - amplitude);
            gray = Math.clamp(gray, 0, 255);
            rgb[i] = gray << 16 | gray << 8 | gray;
        }
    }

    /** The shape's outline in pixel coordinates (y down); java.awt.Shape is Java2D's geometry, not a scene's shape. */
    private static java.awt.Shape outline(Shape shape, int size) {
        double cell = size / 3.0;
        double extent = shape.size().cellFraction() * cell;
        double slack = (CELL_MARGIN * cell - extent) / 2;
        double cx = (shape.position().column() + 0.5) * cell + shape.offsetX() * slack;
        double cy = (shape.position().row() + 0.5) * cell + shape.offsetY() * slack;
        double r = extent / 2;
        return switch (shape.kind()) {
            case CIRCLE -> new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r);
            // A square of the circle's width looks larger than the circle; 0.9 evens out their areas.
            case SQUARE -> new Rectangle2D.Double(cx - 0.9 * r, cy - 0.9 * r, 1.8 * r, 1.8 * r);
            case TRIANGLE -> polygon(new double[] {cx, cx + r, cx - r}, new double[] {cy - r, cy + 0.8 * r, cy + 0.8 * r});
            case STAR -> star(cx, cy, r);
            case CROSS -> cross(cx, cy, r);
        };
    }

    private static Path2D polygon(double[] xs, double[] ys) {
        Path2D.Double path = new Path2D.Double();
        path.moveTo(xs[0], ys[0]);
        for (int i = 1; i < xs.length; i++) {
            path.lineTo(xs[i], ys[i]);
        }
        path.closePath();
        return path;
    }

    /** A five-pointed star, one point up; the deep inner radius keeps the points visible when small. */
    private static Path2D star(double cx, double cy, double r) {
        double[] xs = new double[10];
        double[] ys = new double[10];
        for (int i = 0; i < 10; i++) {
            double radius = i % 2 == 0 ? r : 0.42 * r;
            double angle = i * StrictMath.PI / 5;
            xs[i] = cx + radius * StrictMath.sin(angle);
            ys[i] = cy - radius * StrictMath.cos(angle);
        }
        return polygon(xs, ys);
    }

    /** A plus sign: two overlapping bars (the non-zero winding rule fills the overlap once). */
    private static Path2D cross(double cx, double cy, double r) {
        double half = 0.34 * r;
        Path2D.Double path = new Path2D.Double(Path2D.WIND_NON_ZERO);
        path.append(new Rectangle2D.Double(cx - r, cy - half, 2 * r, 2 * half), false);
        path.append(new Rectangle2D.Double(cx - half, cy - r, 2 * half, 2 * r), false);
        return path;
    }

    private static void paintShape(Shape shape, java.awt.Shape outline, int[] rgb, int size) {
        Rectangle2D bounds = outline.getBounds2D();
        int x0 = Math.max(0, (int) Math.floor(bounds.getMinX()));
        int y0 = Math.max(0, (int) Math.floor(bounds.getMinY()));
        int x1 = Math.min(size - 1, (int) Math.ceil(bounds.getMaxX()));
        int y1 = Math.min(size - 1, (int) Math.ceil(bounds.getMaxY()));
        int color = shape.color().rgb();
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                int covered = coverage(outline, x, y);
                if (covered > 0) {
                    int i = y * size + x;
                    rgb[i] = blend(rgb[i], color, covered, SUBSAMPLES * SUBSAMPLES);
                }
            }
        }
    }

    /**
     * How many of the pixel's sample points lie inside. Whole-pixel tests skip the sampling inside and
     * far outside the shape; they may answer conservatively, which only means sampling anyway.
     */
    private static int coverage(java.awt.Shape outline, int x, int y) {
        if (outline.contains(x, y, 1, 1)) {
            return SUBSAMPLES * SUBSAMPLES;
        }
        if (!outline.intersects(x, y, 1, 1)) {
            return 0;
        }
        int covered = 0;
        for (int sy = 0; sy < SUBSAMPLES; sy++) {
            for (int sx = 0; sx < SUBSAMPLES; sx++) {
                if (outline.contains(x + (sx + 0.5) / SUBSAMPLES, y + (sy + 0.5) / SUBSAMPLES)) {
                    covered++;
                }
            }
        }
        return covered;
    }

    private static int blend(int under, int over, int weight, int total) {
        int result = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            int a = under >> shift & 0xFF;
            int b = over >> shift & 0xFF;
            result |= ((a * (total - weight) + b * weight + total / 2) / total) << shift;
        }
        return result;
    }
}
