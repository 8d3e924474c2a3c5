package dev.jvlm.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Qwen2VLVideoProcessor: no reference tensors exist for video, so the tests pin what can be worked out:
 * a video of two identical frames is exactly the image path (Qwen repeats an image in time), grids and
 * token counts follow smart_resize and the temporal padding by hand, frames land in their temporal
 * slots, and frame sampling gives the indices of transformers' sample_frames for hand-computed cases.
 */
class VideoProcessorTest {
    @TempDir
    Path tmp;

    private static Qwen2VlVideoProcessor processor() throws IOException {
        return Qwen2VlVideoProcessor.fromDirectory(Fixtures.path("qwen2_vl"));
    }

    private static DecodedImage noise(int width, int height, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] px = new byte[width * height * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) r.nextInt(256);
        }
        return DecodedImage.rgb(width, height, px);
    }

    private static DecodedImage gray(int width, int height, int level) {
        byte[] px = new byte[width * height * 3];
        java.util.Arrays.fill(px, (byte) level);
        return DecodedImage.rgb(width, height, px);
    }

    @Test
    void twoIdenticalFramesAreExactlyTheImagePath() throws IOException {
        DecodedImage frame = new ImageLoader().load(Fixtures.path("qwen2_vl/01_rgb_w61_h45.png"));
        ProcessedImages image = ImageProcessor.fromDirectory(Fixtures.path("qwen2_vl")).process(List.of(frame));
        Qwen2VlVideoProcessor.Processed video = processor().process(List.of(DecodedVideo.of("two", List.of(frame, frame))),
                VideoSampling.DEFAULT);
        FloatArray a = (FloatArray) image.tensor("pixel_values");
        FloatArray b = (FloatArray) video.tensors().get("pixel_values_videos");
        assertArrayEquals(a.shape(), b.shape());
        assertArrayEquals(a.data(), b.data(), "bit for bit");
        assertArrayEquals(((LongArray) image.tensor("image_grid_thw")).data(), ((LongArray) video.tensors().get("video_grid_thw")).data());
        Qwen2VlVideoProcessor.Summary s = video.videos().getFirst();
        assertEquals(image.images().getFirst().numImageTokens(), s.numVideoTokens());
        assertEquals("<|vision_start|>" + "<|video_pad|>".repeat(s.numVideoTokens()) + "<|vision_end|>", s.prompt());
    }

    /**
     * Five 100x75 frames: smart_resize (factor 28, 3136..12544 pixels) gives round(75/28)=3 -> 84 by
     * round(100/28)=4 -> 112 (9408 pixels, in range), a 6x8 patch grid; five frames pad to six, three
     * temporal groups: grid (3, 6, 8), 144 patches, 3*6*8/4 = 36 tokens. Frame k sits in group k/2,
     * slot k%2; the last group holds frame 4 twice.
     */
    @Test
    void gridTokensTemporalSlotsAndPaddingByHand() throws IOException {
        List<DecodedImage> frames = List.of(gray(100, 75, 0), gray(100, 75, 50), gray(100, 75, 100), gray(100, 75, 150),
                gray(100, 75, 200));
        Qwen2VlVideoProcessor.Processed out = processor().process(List.of(DecodedVideo.of("five", frames)), VideoSampling.DEFAULT);
        assertArrayEquals(new long[] {3, 6, 8}, ((LongArray) out.tensors().get("video_grid_thw")).data());
        FloatArray px = (FloatArray) out.tensors().get("pixel_values_videos");
        assertArrayEquals(new int[] {144, 1176}, px.shape());
        Qwen2VlVideoProcessor.Summary s = out.videos().getFirst();
        assertEquals(36, s.numVideoTokens());
        assertArrayEquals(new int[] {84, 112}, new int[] {s.resizedHeight(), s.resizedWidth()});
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, s.sampledFrames());
        double mean = 0.48145466;
        double std = 0.26862954;
        int[] levels = {0, 50, 100, 150, 200, 200};
        for (int group = 0; group < 3; group++) {
            for (int patch = 0; patch < 48; patch++) {
                int row = (group * 48 + patch) * 1176;
                for (int slot = 0; slot < 2; slot++) {
                    // channel 0 (red) of this slot: 196 values at offset slot * 196
                    float want = (float) ((float) (levels[2 * group + slot] / 255.0) - (float) mean) / (float) std;
                    assertEquals(want, px.data()[row + slot * 196], 0f, "group " + group + " slot " + slot);
                    assertEquals(want, px.data()[row + slot * 196 + 195], 0f);
                }
            }
        }
        assertEquals(1.0f, ((FloatArray) out.tensors().get("second_per_grid_ts")).data()[0], "2 / the default 2 fps");
    }

    @Test
    void framesOfOtherSizesAreResizedToTheFirstFramesSizeAndTwoVideosConcatenate() throws IOException {
        DecodedImage first = noise(100, 75, 1);
        DecodedImage other = noise(61, 45, 2);
        Qwen2VlVideoProcessor p = processor();
        Qwen2VlVideoProcessor.Processed mixed = p.process(List.of(DecodedVideo.of("mixed", List.of(first, other))), VideoSampling.DEFAULT);
        DecodedImage resized = other.resize(112, 84, Resample.BICUBIC);
        Qwen2VlVideoProcessor.Processed same = p.process(List.of(DecodedVideo.of("same", List.of(first, resized))), VideoSampling.DEFAULT);
        assertArrayEquals(((FloatArray) same.tensors().get("pixel_values_videos")).data(),
                ((FloatArray) mixed.tensors().get("pixel_values_videos")).data(), "the second frame is resized to 112x84 first");

        Qwen2VlVideoProcessor.Processed two = p.process(List.of(DecodedVideo.of("a", List.of(first, first)),
                DecodedVideo.of("b", List.of(other, other, other))), VideoSampling.DEFAULT);
        // 61x45 -> 56x56: grid 4x4; three frames pad to four: (2, 4, 4)
        assertArrayEquals(new long[] {1, 6, 8, 2, 4, 4}, ((LongArray) two.tensors().get("video_grid_thw")).data());
        assertArrayEquals(new int[] {48 + 32, 1176}, ((FloatArray) two.tensors().get("pixel_values_videos")).shape());

        Qwen2VlVideoProcessor noResize = Qwen2VlVideoProcessor.fromJson("""
                {"image_processor_type": "Qwen2VLImageProcessor", "do_resize": false}""", "preprocessor_config.json");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> noResize.process(
                List.of(DecodedVideo.of("clip", List.of(gray(56, 56, 1), gray(84, 56, 1)))), VideoSampling.DEFAULT));
        assertTrue(e.getMessage().contains("clip: frame 1 is 84x56 but frame 0 is 56x56; with do_resize off"), e.getMessage());
    }

    @Test
    void configComesFromTheVideoConfigElseThePreprocessorConfig() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(dir.resolve("preprocessor_config.json"), """
                {"image_processor_type": "Qwen2VLImageProcessor", "min_pixels": 3136, "max_pixels": 12845056}""");
        Qwen2VlVideoProcessor.Config fromImage = Qwen2VlVideoProcessor.fromDirectory(dir).config();
        assertEquals(3136, fromImage.minPixels());
        assertEquals(12845056, fromImage.maxPixels());
        assertEquals(4, fromImage.minFrames());
        assertEquals(768, fromImage.maxFrames());
        Files.writeString(dir.resolve("video_preprocessor_config.json"), """
                {"video_processor_type": "Qwen2VLVideoProcessor", "size": {"shortest_edge": 6272, "longest_edge": 50176},
                 "do_sample_frames": true, "fps": 1.0, "max_frames": 32}""");
        Qwen2VlVideoProcessor.Config video = Qwen2VlVideoProcessor.fromDirectory(dir).config();
        assertEquals(6272, video.minPixels());
        assertEquals(50176, video.maxPixels());
        assertTrue(video.doSampleFrames());
        assertEquals(1.0, video.fps());
        assertEquals(32, video.maxFrames());
        Qwen2VlVideoProcessor.Config defaults = Qwen2VlVideoProcessor.fromJson("""
                {"video_processor_type": "Qwen2VLVideoProcessor"}""", "video_preprocessor_config.json").config();
        assertEquals(128 * 28 * 28, defaults.minPixels());
        assertEquals(28 * 28 * 768, defaults.maxPixels());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Qwen2VlVideoProcessor.fromJson("""
                {"image_processor_type": "CLIPImageProcessor"}""", "preprocessor_config.json"));
        assertTrue(e.getMessage().contains("has no video input"), e.getMessage());
    }

    @Test
    void sampleFramesMatchesHandComputedIndices() {
        // num_frames, rounded half to even to a multiple of 2; indices trunc(float(i * total / n))
        assertArrayEquals(new int[] {0, 2, 5, 7}, sample(10, 0, null, 4));
        assertArrayEquals(new int[] {0, 2, 5, 7}, sample(10, 0, null, 3), "round(1.5) = 2 -> 4 frames");
        assertArrayEquals(new int[] {0, 2, 5, 7}, sample(10, 0, null, 5), "round(2.5) = 2 -> 4 frames");
        assertArrayEquals(new int[] {0, 1, 2, 3, 5, 6, 7, 8}, sample(10, 0, null, 7), "round(3.5) = 4 -> 8 frames, step 1.25");
        // fps: 30 frames at 10 fps is 3 s; at 2 fps 6 frames, step 5
        assertArrayEquals(new int[] {0, 5, 10, 15, 20, 25}, sample(30, 10, 2.0, null));
        // 0.5 fps would be 1.5 frames: raised to min_frames 4, step 7.5
        assertArrayEquals(new int[] {0, 7, 15, 22}, sample(30, 10, 0.5, null));
        // 100 frames at 10 fps sampled at 10 fps, capped by max_frames 16: step 6.25
        assertArrayEquals(new int[] {0, 6, 12, 18, 25, 31, 37, 43, 50, 56, 62, 68, 75, 81, 87, 93},
                Qwen2VlVideoProcessor.sampleFrames(100, 10, 10.0, null, 4, 16, 2, "v"));
        // 7 frames, 6 wanted: step 7/6, i * step = 0, 1.17, 2.33, 3.5, 4.67, 5.83
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, sample(7, 0, null, 6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sample(10, 0, null, 12));
        assertTrue(e.getMessage().contains("cannot sample 12 frames from a video of 10 frames"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> sample(10, 0, null, 1));
        assertTrue(e.getMessage().contains("sampling keeps 0 frames of 10"), e.getMessage());
    }

    private static int[] sample(int total, double sourceFps, Double fps, Integer numFrames) {
        return Qwen2VlVideoProcessor.sampleFrames(total, sourceFps, fps, numFrames, 4, 768, 2, "v");
    }

    @Test
    void samplingFollowsTheCallThenTheConfigAndNeedsAFrameRateForFps() throws IOException {
        List<DecodedImage> frames = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            frames.add(gray(56, 56, i));
        }
        DecodedVideo timed = new DecodedVideo("gif", frames, OptionalDouble.of(10));
        DecodedVideo folder = DecodedVideo.of("folder", frames);
        Qwen2VlVideoProcessor p = processor();
        assertEquals(30, p.sampleIndices(timed, VideoSampling.DEFAULT).length, "no sampling asked: every frame");
        assertArrayEquals(new int[] {0, 5, 10, 15, 20, 25}, p.sampleIndices(timed, new VideoSampling(2.0, null, null, null)));
        assertEquals(30, p.sampleIndices(folder, new VideoSampling(2.0, null, null, null)).length,
                "a folder has no frame rate: its frames are taken as sampled at the given fps");
        assertArrayEquals(new int[] {0, 7, 15, 22}, p.sampleIndices(folder, new VideoSampling(null, 4, null, null)));
        assertArrayEquals(new int[] {0, 3, 6, 9, 12, 15, 18, 21, 24, 27},
                p.sampleIndices(timed, new VideoSampling(1.0, null, 10, null)), "min_frames from the call");

        Qwen2VlVideoProcessor sampling = Qwen2VlVideoProcessor.fromJson("""
                {"video_processor_type": "Qwen2VLVideoProcessor", "do_sample_frames": true, "fps": 2.0}""", "video_preprocessor_config.json");
        assertArrayEquals(new int[] {0, 5, 10, 15, 20, 25}, sampling.sampleIndices(timed, VideoSampling.DEFAULT));
        Qwen2VlVideoProcessor.Processed out = sampling.process(List.of(timed), new VideoSampling(4.0, null, null, null));
        assertEquals(0.5f, ((FloatArray) out.tensors().get("second_per_grid_ts")).data()[0], "2 frames per patch / 4 fps");
        assertEquals(12, out.videos().getFirst().sampledFrames().length);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VideoSampling(1.0, 4, null, null));
        assertTrue(e.getMessage().contains("mutually exclusive"), e.getMessage());
    }
}
