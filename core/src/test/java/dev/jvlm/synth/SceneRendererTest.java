package dev.jvlm.synth;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SceneRendererTest {
    private static final SynthConfig CONFIG = new SynthConfig(42, SynthConfig.DEFAULT_IMAGE_SIZE, QuestionType.parseTasks("qa,caption"));
    private static final SynthDataset DATASET = new SynthDataset(CONFIG);

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    /**
     * Pixels are a pure function of the scene on every machine and JDK: a change of this hash means
     * every image of every dataset changed.
     */
    @Test
    void pixelsArePinnedByHash() throws NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < 50; i++) {
            for (int size : new int[] {32, 64, 97}) {
                for (int rgb : pixels(DATASET.example(Split.TRAIN, i).scene().render(size))) {
                    sha.update(new byte[] {(byte) (rgb >> 16), (byte) (rgb >> 8), (byte) rgb});
                }
            }
        }
        assertEquals("2fcb74573ddf5ab344d946cfe5d148ceba0b70fe2c111de96a7f544fa5df6b07", HexFormat.of().formatHex(sha.digest()));
    }

    @Test
    void pngBytesAreReproducibleAndDecodeToTheRenderedPixels() throws IOException {
        Example example = DATASET.example(Split.TEST, 3);
        byte[] png = DATASET.png(example);
        assertArrayEquals(png, new SynthDataset(CONFIG).png(DATASET.example(Split.TEST, 3)));
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(SynthConfig.DEFAULT_IMAGE_SIZE, decoded.getWidth());
        assertArrayEquals(pixels(example.scene().render(SynthConfig.DEFAULT_IMAGE_SIZE)), pixels(decoded));
    }

    /** Every painted pixel lies in the cell of the shape painted there, so "where" is never in doubt. */
    @Test
    void shapesStayInsideTheirCells() {
        int size = 96;
        int cell = size / 3;
        for (ShapeKind kind : ShapeKind.values()) {
            for (ShapeSize shapeSize : ShapeSize.values()) {
                for (double offset : new double[] {-1, 1}) {
                    Shape shape = new Shape(kind, ShapeColor.BLUE, shapeSize, Position.CENTER, offset, -offset);
                    int[] rgb = pixels(new Scene(List.of(shape), 240, 0, 0).render(size));
                    int painted = 0;
                    for (int y = 0; y < size; y++) {
                        for (int x = 0; x < size; x++) {
                            if (rgb[y * size + x] != 0xFFF0F0F0) {
                                painted++;
                                assertTrue(x >= cell && x < 2 * cell && y >= cell && y < 2 * cell, kind + " " + shapeSize + " at " + x + "," + y);
                            }
                        }
                    }
                    // Large shapes fill a good part of their cell; small ones are still clearly visible.
                    double coverage = painted / (double) (cell * cell);
                    assertTrue(coverage > (shapeSize == ShapeSize.LARGE ? 0.25 : 0.08), kind + " " + shapeSize + " covers " + coverage);
                }
            }
        }
    }

    @Test
    void kindsLookDifferent() {
        int[][] images = new int[ShapeKind.values().length][];
        for (ShapeKind kind : ShapeKind.values()) {
            images[kind.ordinal()] = pixels(new Scene(List.of(new Shape(kind, ShapeColor.RED, ShapeSize.SMALL, Position.LEFT)), 240, 0, 0).render(64));
        }
        for (int a = 0; a < images.length; a++) {
            for (int b = a + 1; b < images.length; b++) {
                assertFalse(Arrays.equals(images[a], images[b]), ShapeKind.values()[a] + " and " + ShapeKind.values()[b]);
            }
        }
    }

    @Test
    void backgroundNoiseStaysWithinItsAmplitude() {
        Scene scene = new Scene(List.of(new Shape(ShapeKind.CIRCLE, ShapeColor.RED, ShapeSize.SMALL, Position.CENTER)), 250, 8, 99);
        int[] rgb = pixels(scene.render(48));
        int min = 255;
        int max = 0;
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 48; x++) {
                int gray = rgb[y * 48 + x] & 0xFF;
                min = Math.min(min, gray);
                max = Math.max(max, gray);
            }
        }
        assertEquals(242, min);
        assertEquals(255, max, "clamped at white");
    }

    @Test
    void sizeOutOfRangeIsRejected() {
        Scene scene = DATASET.example(Split.TRAIN, 0).scene();
        assertThrows(IllegalArgumentException.class, () -> scene.render(31));
        assertThrows(IllegalArgumentException.class, () -> scene.render(1025));
    }
}
