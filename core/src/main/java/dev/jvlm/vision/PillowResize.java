package dev.jvlm.vision;

import dev.jvlm.vision.DecodedImage.Mode;

/**
 * Pillow's {@code Image.resize} for 8-bit images, reproduced bit for bit: the convolution of
 * {@code libImaging/Resample.c} (coefficients normalised to 22-bit fixed point, a horizontal pass
 * into an 8-bit intermediate image, then a vertical pass, each rounded and clipped to 0..255) and
 * the nearest-neighbour scaling of {@code libImaging/Geometry.c}.
 */
final class PillowResize {

    /** 32 bits minus 8 for the sample and 2 for negative lobes and overshoot, as in Pillow. */
    static final int PRECISION_BITS = 32 - 8 - 2;

    private PillowResize() {
    }

    /** {@link DecodedImage#resize}: the mode rules of Pillow's {@code Image.resize}. */
    static DecodedImage resize(DecodedImage image, int width, int height, Resample filter) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("resize target must be at least 1x1, got " + width + "x" + height);
        }
        if (width == image.width() && height == image.height()) {
            return new DecodedImage(image.mode(), width, height, image.samples().clone(),
                    image.palette() == null ? null : image.palette().clone());
        }
        Resample effective = image.mode() == Mode.P ? Resample.NEAREST : filter;
        return switch (image.mode()) {
            case I16 -> throw new IllegalArgumentException(
                    "resizing 16-bit images is not supported; convert the image to RGB first");
            case P -> new DecodedImage(Mode.P, width, height,
                    resample(image.samples(), image.width(), image.height(), 1, width, height, Resample.NEAREST),
                    image.palette().clone());
            case LA, RGBA -> {
                int channels = image.mode().bytesPerPixel();
                if (effective == Resample.NEAREST) {
                    yield new DecodedImage(image.mode(), width, height,
                            resample(image.samples(), image.width(), image.height(), channels, width, height, effective), null);
                }
                // Pillow resizes these as premultiplied La / RGBa so that the colour of transparent
                // pixels does not bleed into their neighbours, then converts back.
                byte[] premultiplied = image.samples().clone();
                ModeConversion.premultiply(premultiplied, channels);
                byte[] out = resample(premultiplied, image.width(), image.height(), channels, width, height, effective);
                ModeConversion.unpremultiply(out, channels);
                yield new DecodedImage(image.mode(), width, height, out, null);
            }
            case L, RGB -> new DecodedImage(image.mode(), width, height,
                    resample(image.samples(), image.width(), image.height(), image.mode().bytesPerPixel(),
                            width, height, effective), null);
        };
    }

    /**
     * Resamples interleaved 8-bit samples with {@code channels} channels from {@code inWidth x
     * inHeight} to {@code outWidth x outHeight}, all channels independently.
     */
    static byte[] resample(byte[] in, int inWidth, int inHeight, int channels, int outWidth, int outHeight,
                           Resample filter) {
        if (filter == Resample.NEAREST) {
            return nearest(in, inWidth, inHeight, channels, outWidth, outHeight);
        }
        Kernel kernel = Kernel.of(filter);
        boolean needHorizontal = outWidth != inWidth;
        boolean needVertical = outHeight != inHeight;
        Coefficients horizontal = Coefficients.compute(inWidth, outWidth, kernel);
        Coefficients vertical = Coefficients.compute(inHeight, outHeight, kernel);

        byte[] current = in;
        int currentHeight = inHeight;
        int firstRow = 0;
        if (needHorizontal) {
            // Like Pillow, only the rows the vertical pass reads are resampled horizontally.
            firstRow = vertical.start[0];
            int lastRow = vertical.start[outHeight - 1] + vertical.count[outHeight - 1];
            currentHeight = lastRow - firstRow;
            current = horizontalPass(in, inWidth, firstRow, currentHeight, channels, horizontal, outWidth);
        }
        if (needVertical) {
            return verticalPass(current, needHorizontal ? outWidth : inWidth, firstRow, channels, vertical, outHeight);
        }
        return current == in ? in.clone() : current;
    }

    private static byte[] horizontalPass(byte[] in, int inWidth, int firstRow, int rows, int channels,
                                         Coefficients c, int outWidth) {
        byte[] out = new byte[rows * outWidth * channels];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < rows; y++) {
            int inRow = (y + firstRow) * inWidth * channels;
            int outRow = y * outWidth * channels;
            for (int x = 0; x < outWidth; x++) {
                int start = c.start[x];
                int count = c.count[x];
                int k0 = x * c.size;
                for (int ch = 0; ch < channels; ch++) {
                    int sum = half;
                    int src = inRow + start * channels + ch;
                    for (int i = 0; i < count; i++, src += channels) {
                        sum += (in[src] & 0xFF) * c.weights[k0 + i];
                    }
                    out[outRow + x * channels + ch] = clip8(sum);
                }
            }
        }
        return out;
    }

    /** {@code rowOffset}: the input row that {@code in}'s first row is (rows above were skipped). */
    private static byte[] verticalPass(byte[] in, int width, int rowOffset, int channels, Coefficients c, int outHeight) {
        int rowBytes = width * channels;
        byte[] out = new byte[outHeight * rowBytes];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < outHeight; y++) {
            int start = c.start[y] - rowOffset;
            int count = c.count[y];
            int k0 = y * c.size;
            for (int i = 0; i < rowBytes; i++) {
                int sum = half;
                int src = start * rowBytes + i;
                for (int j = 0; j < count; j++, src += rowBytes) {
                    sum += (in[src] & 0xFF) * c.weights[k0 + j];
                }
                out[y * rowBytes + i] = clip8(sum);
            }
        }
        return out;
    }

    private static byte clip8(int fixedPoint) {
        int v = fixedPoint >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /**
     * {@code ImagingScaleAffine}: source positions are accumulated in double precision from the
     * first pixel centre, as Pillow does, so that rounding drift matches too. Positions that drift
     * past the last source pixel stay 0, as in Pillow's filled output.
     */
    private static byte[] nearest(byte[] in, int inWidth, int inHeight, int channels, int outWidth, int outHeight) {
        double scaleX = (double) inWidth / outWidth;
        double scaleY = (double) inHeight / outHeight;
        int[] sourceX = new int[outWidth];
        double xo = scaleX * 0.5;
        for (int x = 0; x < outWidth; x++) {
            sourceX[x] = (int) xo;
            xo += scaleX;
        }
        byte[] out = new byte[outWidth * outHeight * channels];
        double yo = scaleY * 0.5;
        for (int y = 0; y < outHeight; y++) {
            int sy = (int) yo;
            yo += scaleY;
            if (sy >= inHeight) {
                continue;
            }
            for (int x = 0; x < outWidth; x++) {
                if (sourceX[x] < inWidth) {
                    System.arraycopy(in, (sy * inWidth + sourceX[x]) * channels, out, (y * outWidth + x) * channels, channels);
                }
            }
        }
        return out;
    }

    /** A resampling kernel and its support radius at scale 1 ({@code struct filter}). */
    private record Kernel(Resample filter, double support) {

        static Kernel of(Resample filter) {
            return switch (filter) {
                case BOX -> new Kernel(filter, 0.5);
                case BILINEAR, HAMMING -> new Kernel(filter, 1.0);
                case BICUBIC -> new Kernel(filter, 2.0);
                case LANCZOS -> new Kernel(filter, 3.0);
                case NEAREST -> throw new IllegalArgumentException("nearest neighbour has no kernel");
            };
        }

        double weight(double x) {
            return switch (filter) {
                case BOX -> x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
                case BILINEAR -> {
                    double ax = Math.abs(x);
                    yield ax < 1.0 ? 1.0 - ax : 0.0;
                }
                case HAMMING -> {
                    double ax = Math.abs(x);
                    if (ax == 0.0) {
                        yield 1.0;
                    }
                    if (ax >= 1.0) {
                        yield 0.0;
                    }
                    double px = ax * Math.PI;
                    // Pillow's constants are C floats; keep them floats.
                    yield Math.sin(px) / px * (0.54f + 0.46f * Math.cos(px));
                }
                case BICUBIC -> {
                    final double a = -0.5;
                    double ax = Math.abs(x);
                    if (ax < 1.0) {
                        yield ((a + 2.0) * ax - (a + 3.0)) * ax * ax + 1;
                    }
                    if (ax < 2.0) {
                        yield (((ax - 5) * ax + 8) * ax - 4) * a;
                    }
                    yield 0.0;
                }
                case LANCZOS -> -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
                case NEAREST -> throw new IllegalStateException();
            };
        }

        private static double sinc(double x) {
            if (x == 0.0) {
                return 1.0;
            }
            double px = x * Math.PI;
            return Math.sin(px) / px;
        }
    }

    /**
     * {@code precompute_coeffs} followed by {@code normalize_coeffs_8bpc}: for each output pixel the
     * first input pixel, the number of input pixels, and their fixed-point weights.
     */
    record Coefficients(int size, int[] start, int[] count, int[] weights) {

        static Coefficients compute(int inSize, int outSize, Kernel kernel) {
            double scale = (double) inSize / outSize;
            // When shrinking, the kernel is stretched so that it antialiases.
            double filterScale = Math.max(scale, 1.0);
            double support = kernel.support() * filterScale;
            int size = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * size];
            double[] k = new double[size];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double inverseScale = 1.0 / filterScale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double total = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double w = kernel.weight((x + xmin - center + 0.5) * inverseScale);
                    k[x] = w;
                    total += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double normalised = total != 0.0 ? k[x] / total : k[x];
                    weights[xx * size + x] = normalised < 0
                            ? (int) (-0.5 + normalised * (1 << PRECISION_BITS))
                            : (int) (0.5 + normalised * (1 << PRECISION_BITS));
                }
                start[xx] = xmin;
                count[xx] = Math.max(xmax, 0);
            }
            return new Coefficients(size, start, count, weights);
        }
    }
}
