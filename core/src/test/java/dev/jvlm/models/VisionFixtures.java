package dev.jvlm.models;

import dev.jvlm.api.ForwardSpec;
import dev.jvlm.tensor.Tensor;
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.FloatArray;
import dev.jvlm.vision.ImageProcessor;
import dev.jvlm.vision.LongArray;
import dev.jvlm.vision.ProcessedImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import dev.jvlm.vision.ImageSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Inputs for the vision tests: the reference models, synthetic images through their processors, specs. */
final class VisionFixtures {
    private VisionFixtures() {
    }

    static final Map<String, LanguageModel> MODELS = new java.util.concurrent.ConcurrentHashMap<>();

    static Path dir(String family) {
        return TestData.resource("models/" + family);
    }

    static LanguageModel model(String family) {
        return MODELS.computeIfAbsent(family, f -> LanguageModel.load(dir(f)));
    }

    static ForwardSpec sample(String family) {
        return ForwardSpec.read(dir(family).resolve("sample_input.json"));
    }

    /** A smooth RGB test image with some texture, the same for the same seed. */
    static DecodedImage image(int width, int height, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] rgb = new byte[width * height * 3];
        int[] base = {r.nextInt(256), r.nextInt(256), r.nextInt(256)};
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    int v = base[c] + (x * (c + 1) * 7 + y * (3 - c) * 5) / 3 + r.nextInt(24);
                    rgb[(y * width + x) * 3 + c] = (byte) (v & 0xff);
                }
            }
        }
        return DecodedImage.rgb(width, height, rgb);
    }

    static ProcessedImages process(String family, DecodedImage... images) {
        try {
            return ImageProcessor.fromDirectory(dir(family)).process(List.of(images));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The processor's tensors as model inputs. */
    static Map<String, Tensor> tensors(ProcessedImages p) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        p.tensors().forEach((name, a) -> out.put(name, switch (a) {
            case FloatArray f -> Tensor.of(f.data(), f.shape());
            case LongArray l -> Tensor.ofLongs(l.data(), l.shape());
        }));
        return out;
    }

    /** {@code a} and {@code b} concatenated along the first dimension. */
    static Tensor concat(Tensor a, Tensor b) {
        int[] shape = a.shape();
        shape[0] += b.dim(0);
        if (a.dtype().isFloatingPoint()) {
            float[] x = a.toF32().floats();
            float[] y = b.toF32().floats();
            float[] out = java.util.Arrays.copyOf(x, x.length + y.length);
            System.arraycopy(y, 0, out, x.length, y.length);
            return Tensor.of(out, shape);
        }
        long[] x = a.toLongs();
        long[] y = b.toLongs();
        long[] out = java.util.Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, out, x.length, y.length);
        return Tensor.ofLongs(out, shape);
    }

    /** ids from concatenated pieces: long arrays or single ids (Number), repeated with {@link #times}. */
    static long[] ids(Object... parts) {
        java.util.List<Long> out = new java.util.ArrayList<>();
        for (Object p : parts) {
            switch (p) {
                case long[] a -> {
                    for (long v : a) {
                        out.add(v);
                    }
                }
                case Number n -> out.add(n.longValue());
                default -> throw new IllegalArgumentException(String.valueOf(p));
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    static long[] times(long id, int n) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, id);
        return a;
    }

    /** Row {@code b} of a {@code [batch, tokens, ...]} tensor, positions [from, to), flattened. */
    static float[] rows(Tensor t, int b, int from, int to) {
        int tokens = t.dim(1);
        int width = (int) (t.numel() / ((long) t.dim(0) * tokens));
        return java.util.Arrays.copyOfRange(t.floats(), (b * tokens + from) * width, (b * tokens + to) * width);
    }

    static double relativeError(float[] actual, float[] expected) {
        double diff = 0;
        double ref = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
            ref = Math.max(ref, Math.abs(expected[i]));
        }
        return diff / ref;
    }

    static int argmax(float[] a, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (a[off + i] > a[off + best]) {
                best = i;
            }
        }
        return best;
    }

    /** The placeholder ids the family's processor writes for one image, with the fixtures' stand-in ids. */
    static long[] placeholders(String family, ImageSummary image) {
        return switch (family) {
            case "llava", "llava_next" -> times(500, image.numImageTokens());
            case "qwen2_vl", "qwen2_5_vl" -> ids(500, times(502, image.numImageTokens()), 501);
            case "gemma3" -> ids(108, 500, times(502, image.numImageTokens()), 501, 108);
            default -> standInIds(image.prompt());
        };
    }

    /** Idefics3's expansion with the fixture's stand-in ids (reference README). */
    static long[] standInIds(String prompt) {
        Matcher m = Pattern.compile("<fake_token_around_image>|<global-img>|<row_(\\d+)_col_(\\d+)>|<image>|\n").matcher(prompt);
        List<Long> out = new ArrayList<>();
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                throw new IllegalArgumentException("unexpected text in " + prompt);
            }
            end = m.end();
            out.add(switch (m.group()) {
                case "<fake_token_around_image>" -> 490L;
                case "<global-img>" -> 491L;
                case "<image>" -> 500L;
                case "\n" -> 10L;
                default -> 400L + 8L * (Long.parseLong(m.group(1)) - 1) + (Long.parseLong(m.group(2)) - 1);
            });
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** 5-D inputs of two samples stacked, the one with fewer tiles padded with zero tiles (as the processors pad). */
    static Tensor stackTiles(Tensor a, Tensor b) {
        int tiles = Math.max(a.dim(1), b.dim(1));
        int per = (int) (a.numel() / ((long) a.dim(0) * a.dim(1)));
        int[] shape = a.shape();
        shape[0] = a.dim(0) + b.dim(0);
        shape[1] = tiles;
        boolean floats = a.dtype().isFloatingPoint();
        float[] f = floats ? new float[shape[0] * tiles * per] : null;
        long[] l = floats ? null : new long[shape[0] * tiles * per];
        int row = 0;
        for (Tensor t : List.of(a, b)) {
            for (int s = 0; s < t.dim(0); s++, row++) {
                for (int i = 0; i < t.dim(1) * per; i++) {
                    long src = (long) s * t.dim(1) * per + i;
                    if (floats) {
                        f[row * tiles * per + i] = t.getFloat(src);
                    } else {
                        l[row * tiles * per + i] = t.getLong(src);
                    }
                }
            }
        }
        return floats ? Tensor.of(f, shape) : Tensor.ofLongs(l, shape);
    }
}
