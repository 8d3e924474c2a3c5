package dev.jvlm.models;

import static dev.jvlm.models.VisionFixtures.ids;
import static dev.jvlm.models.VisionFixtures.model;
import static dev.jvlm.models.VisionFixtures.relativeError;
import static dev.jvlm.models.VisionFixtures.rows;
import static dev.jvlm.models.VisionFixtures.times;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.JvlmException;
import dev.jvlm.generate.Generator;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.tensor.Tensor;
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.DecodedVideo;
import dev.jvlm.vision.FloatArray;
import dev.jvlm.vision.ImageLoader;
import dev.jvlm.vision.LongArray;
import dev.jvlm.vision.Qwen2VlVideoProcessor;
import dev.jvlm.vision.VideoSampling;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Video through the Qwen reference models: a video of two identical frames is the image (same logits),
 * get_rope_index positions of a 3-group video worked out by hand for both families (Qwen2.5-VL's
 * temporal index from second_per_grid_ts x tokens_per_second, truncated in float32), and an image and
 * videos mixed in a left-padded batch give what each row gives alone.
 */
class VideoInputsTest {

    private static Map<String, Tensor> videoTensors(String family, VideoSampling sampling, DecodedVideo... videos) {
        Qwen2VlVideoProcessor.Processed p;
        try {
            p = Qwen2VlVideoProcessor.fromDirectory(VisionFixtures.dir(family)).process(List.of(videos), sampling);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        p.tensors().forEach((name, a) -> out.put(name, switch (a) {
            case FloatArray f -> Tensor.of(f.data(), f.shape());
            case LongArray l -> Tensor.ofLongs(l.data(), l.shape());
        }));
        return out;
    }

    private static DecodedVideo frames(int count, int width, int height, long seed) {
        List<DecodedImage> f = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            f.add(VisionFixtures.image(width, height, seed + i));
        }
        return DecodedVideo.of("frames", f);
    }

    private static long[] swap(long[] ids, long from, long to) {
        long[] out = ids.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = out[i] == from ? to : out[i];
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2_vl", "qwen2_5_vl"})
    void aVideoOfTwoIdenticalFramesGivesTheImagesLogits(String family) throws IOException {
        DecodedImage frame = new ImageLoader().load(VisionFixtures.dir(family).resolve("sample_image.png"));
        Map<String, Tensor> image = VisionFixtures.tensors(VisionFixtures.process(family, frame));
        Map<String, Tensor> video = videoTensors(family, VideoSampling.DEFAULT, DecodedVideo.of("still", List.of(frame, frame)));
        long[] imagePrompt = VisionFixtures.sample(family).inputIds()[0];
        long[] videoPrompt = swap(imagePrompt, 502, 503);
        LanguageModel lm = model(family);
        Prefill a = lm.prefill(new long[][] {imagePrompt}, null, image);
        Prefill b = lm.prefill(new long[][] {videoPrompt}, null, video);
        assertArrayEquals(a.positions()[0][0], b.positions()[0][0], "one temporal group: position 0 in time, as an image");
        assertArrayEquals(a.inputsEmbeds().floats(), b.inputsEmbeds().floats(), "the video features are the image features");
        assertArrayEquals(lm.forward(a, false).logits().floats(), lm.forward(b, false).logits().floats());
    }

    /**
     * Text 7, 8, vision_start, a video of 6 frames at 56x56 (grid 3x4x4: 3 groups of 2x2 merged tokens),
     * vision_end, text 9. Text counts 0, 1, 2; the video starts at 3: height 3 + row, width 3 + column,
     * time 3 + k where k is the group (Qwen2-VL) or trunc(float(group * second_per_grid_t) * 2) with
     * tokens_per_second 2 (Qwen2.5-VL); the text after continues from the largest position + 1.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2.0", "3.0", "0.5", "none"})
    void ropePositionsOfAVideoByHand(String fps) {
        VideoSampling sampling = fps.equals("none") ? VideoSampling.DEFAULT : new VideoSampling(Double.valueOf(fps), null, null, null);
        Map<String, Tensor> video = videoTensors("qwen2_5_vl", sampling, frames(6, 56, 56, 3));
        assertArrayEquals(new long[] {3, 4, 4}, video.get("video_grid_thw").toLongs());
        if (fps.equals("none")) {
            video.remove("second_per_grid_ts"); // absent: 1 second per group, Hugging Face's default
        }
        long[] prompt = ids(7, 8, 500, times(503, 12), 501, 9);
        // Qwen2.5-VL, group k at 3 + trunc(k * spg * 2): spg 2/2 = 1 -> 0, 2, 4; 2/3 -> 0, 1.33, 2.67 -> 0, 1, 2;
        // 2/0.5 = 4 -> 0, 8, 16; none -> 1 -> 0, 2, 4
        int[] times25 = switch (fps) {
            case "3.0" -> new int[] {0, 1, 2};
            case "0.5" -> new int[] {0, 8, 16};
            default -> new int[] {0, 2, 4};
        };
        assertPositions(model("qwen2_5_vl").prefill(new long[][] {prompt}, null, video), times25, prompt.length);
        assertPositions(model("qwen2_vl").prefill(new long[][] {prompt}, null, video), new int[] {0, 1, 2}, prompt.length);
    }

    private static void assertPositions(Prefill p, int[] groupTimes, int length) {
        int[] t = new int[length];
        int[] h = new int[length];
        int[] w = new int[length];
        for (int i = 0; i < 3; i++) {
            t[i] = h[i] = w[i] = i;
        }
        int i = 3;
        int max = 3;
        for (int g = 0; g < 3; g++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 2; x++, i++) {
                    t[i] = 3 + groupTimes[g];
                    h[i] = 3 + y;
                    w[i] = 3 + x;
                    max = Math.max(max, Math.max(t[i], Math.max(h[i], w[i])));
                }
            }
        }
        for (int k = 0; i < length; i++, k++) {
            t[i] = h[i] = w[i] = max + 1 + k;
        }
        assertArrayEquals(t, p.positions()[0][0], "temporal");
        assertArrayEquals(h, p.positions()[1][0], "height");
        assertArrayEquals(w, p.positions()[2][0], "width");
        assertArrayEquals(new int[] {max + 3 - length}, p.ropeDeltas());
    }

    /**
     * Row 0: an image (12 tokens) then a 6-frame video (grid 3x4x4) sampled at 2 fps; row 1, shorter and
     * left-padded: a 4-frame video (grid 2x4x4) at 1 fps, so the two videos have different
     * second_per_grid_ts. Each row's logits and greedy tokens equal its run alone.
     */
    @ParameterizedTest
    @ValueSource(strings = {"qwen2_vl", "qwen2_5_vl"})
    void imagesAndVideosInALeftPaddedBatchEqualEachRowAlone(String family) throws IOException {
        LanguageModel lm = model(family);
        DecodedImage picture = new ImageLoader().load(VisionFixtures.dir(family).resolve("sample_image.png"));
        Map<String, Tensor> image = VisionFixtures.tensors(VisionFixtures.process(family, picture));
        Map<String, Tensor> videoA = videoTensors(family, new VideoSampling(2.0, null, null, null), frames(6, 56, 56, 11));
        Map<String, Tensor> videoB = videoTensors(family, new VideoSampling(1.0, null, null, null), frames(4, 56, 56, 21));
        long[] rowA = ids(104, 500, times(502, 12), 501, 166, 500, times(503, 12), 501, 201, 171);
        long[] rowB = ids(77, 500, times(503, 8), 501, 91);
        Map<String, Tensor> aloneA = new LinkedHashMap<>(image);
        aloneA.putAll(videoA);

        int width = rowA.length;
        long[][] batch = new long[2][width];
        int[][] mask = new int[2][width];
        System.arraycopy(rowA, 0, batch[0], 0, width);
        Arrays.fill(mask[0], 1);
        System.arraycopy(rowB, 0, batch[1], width - rowB.length, rowB.length);
        Arrays.fill(mask[1], width - rowB.length, width, 1);
        Map<String, Tensor> both = new LinkedHashMap<>(image);
        for (String name : videoA.keySet()) {
            both.put(name, VisionFixtures.concat(videoA.get(name), videoB.get(name)));
        }
        assertArrayEquals(new float[] {1f, 2f}, both.get("second_per_grid_ts").floats());

        Prefill together = lm.prefill(batch, mask, both);
        Tensor logits = lm.forward(together, false).logits();
        long[][] tokens = Generator.generate(lm, batch, together, SamplingParams.greedy(3), null, null).tokens();
        long[][] rows = {rowA, rowB};
        List<Map<String, Tensor>> inputs = List.of(aloneA, videoB);
        for (int b = 0; b < 2; b++) {
            Prefill alone = lm.prefill(new long[][] {rows[b]}, null, inputs.get(b));
            int len = rows[b].length;
            double err = relativeError(rows(logits, b, width - len, width), rows(lm.forward(alone, false).logits(), 0, 0, len));
            assertTrue(err < 1e-4, family + " row " + b + ": relative error " + err);
            long[] gen = Generator.generate(lm, new long[][] {rows[b]}, alone, SamplingParams.greedy(3), null, null).tokens()[0];
            assertArrayEquals(gen, tokens[b], family + " row " + b + " greedy tokens");
        }
    }

    @Test
    void badVideoInputsAreClearErrors() {
        Map<String, Tensor> video = videoTensors("qwen2_vl", VideoSampling.DEFAULT, frames(2, 56, 56, 1));
        long[] prompt = ids(7, 500, times(503, 4), 501);
        Map<String, Tensor> wrongSeconds = new LinkedHashMap<>(video);
        wrongSeconds.put("second_per_grid_ts", Tensor.of(new float[] {1, 1}, 2));
        JvlmException e = assertThrows(JvlmException.class, () -> model("qwen2_5_vl").prefill(new long[][] {prompt}, null, wrongSeconds));
        assertTrue(e.getMessage().contains("\"second_per_grid_ts\" holds 2 values but \"video_grid_thw\" describes 1 videos"),
                e.getMessage());
        long[] fewer = ids(7, 500, times(503, 3), 501);
        e = assertThrows(JvlmException.class, () -> model("qwen2_vl").prefill(new long[][] {fewer}, null, video));
        assertTrue(e.getMessage().contains("3 video tokens (id 503)") && e.getMessage().contains("give 4 features"), e.getMessage());
        Map<String, Tensor> noGrid = Map.of("pixel_values_videos", video.get("pixel_values_videos"));
        e = assertThrows(JvlmException.class, () -> model("qwen2_vl").prefill(new long[][] {prompt}, null, noGrid));
        assertTrue(e.getMessage().contains("needs \"video_grid_thw\""), e.getMessage());
    }
}
