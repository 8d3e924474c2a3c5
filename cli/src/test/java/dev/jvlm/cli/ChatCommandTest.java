package dev.jvlm.cli;

import static dev.jvlm.models.TestData.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.api.Conversation;
import dev.jvlm.api.Images;
import dev.jvlm.api.Videos;
import dev.jvlm.api.Vlm;
import dev.jvlm.io.Json;
import dev.jvlm.io.Safetensors;
import dev.jvlm.models.TestData;
import dev.jvlm.vision.VideoSampling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Chat and preprocess end to end on a random Qwen2-VL with the real Qwen tokenizer and chat template. */
class ChatCommandTest {
    @TempDir
    static Path tmp;

    static Path model;
    static Path image;

    @BeforeAll
    static void makeModel() throws IOException {
        Path ref = TestData.resource("models/qwen2_vl");
        String config = Files.readString(ref.resolve("config.json"))
                .replace("\"vocab_size\": 512", "\"vocab_size\": 151936")
                .replace("\"image_token_id\": 502", "\"image_token_id\": 151655")
                .replace("\"video_token_id\": 503", "\"video_token_id\": 151656")
                .replace("\"vision_start_token_id\": 500", "\"vision_start_token_id\": 151652")
                .replace("\"vision_end_token_id\": 501", "\"vision_end_token_id\": 151653")
                .replace("\"bos_token_id\": 497", "\"bos_token_id\": 151643")
                .replace("\"eos_token_id\": 498", "\"eos_token_id\": 151645");
        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, config);
        Path files = Files.createDirectories(tmp.resolve("files"));
        Path tok = TestData.tokenizerDir("qwen3");
        Files.copy(tok.resolve("tokenizer.json"), files.resolve("tokenizer.json"));
        Files.copy(tok.resolve("tokenizer_config.json"), files.resolve("tokenizer_config.json"));
        Files.copy(TestData.resource("text/templates/qwen2_5_vl.jinja"), files.resolve("chat_template.jinja"));
        Files.copy(ref.resolve("preprocessor_config.json"), files.resolve("preprocessor_config.json"));
        model = tmp.resolve("model");
        CliRunner init = CliRunner.run("init", "--config", cfg.toString(), "--tokenizer", files.toString(), "--output", model.toString());
        assertEquals(0, init.exitCode(), init.err());
        image = TestData.resource("vision/qwen2_vl/01_rgb_w61_h45.png");
    }

    @Test
    void oneTurnWithAnImageCountsTheExpandedPrompt() {
        CliRunner r = CliRunner.run("chat", "--model", model.toString(), "--image", image.toString(), "--max-tokens", "4", "--json",
                "What is in the picture?");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode reply = Json.parse(r.out(), "chat output");
        // The template's default system prompt, the user turn with 4 image pads (61x45 -> 56x56 -> grid 1x4x4 / 4), the assistant opening.
        String expectedPrompt = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
                + "<|vision_start|>" + "<|image_pad|>".repeat(4) + "<|vision_end|>What is in the picture?<|im_end|>\n"
                + "<|im_start|>assistant\n";
        Vlm vlm = Vlm.load(model.toString());
        assertEquals(vlm.tokenizer().encode(expectedPrompt, false).length, reply.get("prompt_tokens").asInt());
        Conversation c = new Conversation().user("What is in the picture?", List.of(Images.load(image)));
        assertEquals(reply.get("prompt_tokens").asInt(), vlm.promptIds(c, new LinkedHashMap<>()).length);
        assertTrue(reply.get("completion_tokens").asInt() >= 1 && reply.get("completion_tokens").asInt() <= 4);
        StringBuilder streamed = new StringBuilder();
        Vlm.Reply direct = vlm.reply(c, new SamplingOptions().over(vlm.defaultSampling()).withStops(
                vlm.defaultSampling().stopTokenIds(), List.of()), streamed::append);
        assertEquals(streamed.toString(), direct.text(), "streamed pieces add up to the reply");
    }

    @Test
    void interactiveSessionTakesImagesAndResets() {
        CliRunner r = CliRunner.runWithInput("/image " + image + "\nWhat is this?\n/reset\nHello\n/quit\n",
                "chat", "--model", model.toString(), "--max-tokens", "3", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("[image attached to the next message]"), r.err());
        assertTrue(r.err().contains("[new conversation]"), r.err());
        List<String> replies = r.out().lines().toList();
        assertEquals(2, replies.size(), "one JSON reply per message: " + r.out());
        int withImage = Json.parse(replies.get(0), "reply 1").get("prompt_tokens").asInt();
        int afterReset = Json.parse(replies.get(1), "reply 2").get("prompt_tokens").asInt();
        assertTrue(withImage > afterReset + 4, "the first message carried the image, the reset dropped it");
    }

    @Test
    void badImagesAreNamed() throws IOException {
        Path notImage = tmp.resolve("notes.png");
        Files.writeString(notImage, "not an image");
        CliRunner r = CliRunner.run("chat", "--model", model.toString(), "--image", notImage.toString(), "hi");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("jvlm: ") && r.err().contains("notes.png"), r.err());
        assertFalse(r.err().contains("\tat "));
    }

    /** A folder of three 61x45 frames: 56x56 each (grid 4x4), three frames pad to four: grid (2, 4, 4), 8 video pads. */
    private static Path frameFolder() throws IOException {
        Path dir = tmp.resolve("frames");
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            for (int i = 1; i <= 3; i++) {
                Files.copy(image, dir.resolve("frame" + i + ".png"));
            }
        }
        return dir;
    }

    @Test
    void oneTurnWithAVideoCountsTheExpandedPrompt() throws IOException {
        Path frames = frameFolder();
        CliRunner r = CliRunner.run("chat", "--model", model.toString(), "--image", image.toString(), "--video", frames.toString(),
                "--max-tokens", "2", "--json", "--fps", "1", "What happens?");
        assertEquals(0, r.exitCode(), r.err());
        String expectedPrompt = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
                + "<|vision_start|>" + "<|image_pad|>".repeat(4) + "<|vision_end|>"
                + "<|vision_start|>" + "<|video_pad|>".repeat(8) + "<|vision_end|>What happens?<|im_end|>\n<|im_start|>assistant\n";
        Vlm vlm = Vlm.load(model.toString());
        assertEquals(vlm.tokenizer().encode(expectedPrompt, false).length,
                Json.parse(r.out(), "chat output").get("prompt_tokens").asInt());

        var tensors = new LinkedHashMap<String, dev.jvlm.tensor.Tensor>();
        Conversation c = new Conversation().user("What happens?", List.of(), List.of(Videos.load(frames)))
                .videoSampling(new VideoSampling(1.0, null, null, null));
        vlm.promptIds(c, tensors);
        assertEquals(List.of("pixel_values_videos", "video_grid_thw", "second_per_grid_ts"), List.copyOf(tensors.keySet()));
        assertEquals(2f, tensors.get("second_per_grid_ts").floats()[0], "2 frames per temporal patch at 1 fps");
    }

    @Test
    void interactiveSessionTakesVideos() throws IOException {
        CliRunner r = CliRunner.runWithInput("/video " + frameFolder() + "\nWhat happens?\n/quit\n",
                "chat", "--model", model.toString(), "--max-tokens", "2", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("[video of 3 frames attached to the next message]"), r.err());
    }

    @Test
    void badVideosAndOptionsAreOneLineErrors() throws IOException {
        Path mp4 = tmp.resolve("clip.mp4");
        byte[] ftyp = new byte[32];
        System.arraycopy("ftypisom".getBytes(), 0, ftyp, 4, 8);
        Files.write(mp4, ftyp);
        CliRunner r = CliRunner.run("chat", "--model", model.toString(), "--video", mp4.toString(), "hi");
        assertEquals(1, r.exitCode());
        assertEquals("jvlm: clip.mp4: MP4/MOV video files are not supported; pass a folder of frames or an animated GIF "
                + "(there is no maintained pure-Java video decoder; see docs/VIDEO.md)", r.err().strip());

        r = CliRunner.run("chat", "--model", model.toString(), "--video", frameFolder().toString(), "--fps", "1", "--num-frames", "4", "hi");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("jvlm: video sampling flags: --fps and --num-frames are mutually exclusive"), r.err());

        r = CliRunner.run("chat", "--model", model.toString(), "--video", frameFolder().toString(), "--num-frames", "8", "hi");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("cannot sample 8 frames from a video of 3 frames"), r.err());

        r = CliRunner.run("chat", "--model", model.toString(), "--pan-and-scan", "hi");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("jvlm: pan-and-scan is an option of Gemma 3's image processor; this model's is Qwen2Vl"), r.err());

        Path gemma = TestData.resource("vision/gemma3");
        r = CliRunner.run("preprocess", "--model", gemma.toString(), "--video", frameFolder().toString(), "--output",
                tmp.resolve("never.safetensors").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("model_type \"gemma3\" takes no video; video input needs a Qwen2-VL or Qwen2.5-VL model"), r.err());
        assertFalse(Files.exists(tmp.resolve("never.safetensors")));
    }

    @Test
    void preprocessWritesVideoTensorsAndSummaries() throws IOException {
        Path out = tmp.resolve("video.safetensors");
        CliRunner r = CliRunner.run("preprocess", "--model", model.toString(), "--video", frameFolder().toString(), "--num-frames", "2",
                "--output", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode video = Json.parse(r.out(), "preprocess output").get("videos").get(0);
        assertEquals(3, video.get("frames").asInt());
        assertEquals("[0,1]", video.get("sampled_frames").toString(), "2 of 3 frames: step 1.5 -> 0, 1");
        assertEquals("[1,4,4]", video.get("video_grid_thw").toString());
        assertEquals(4, video.get("num_video_tokens").asInt());
        Safetensors.File file = Safetensors.open(out);
        assertEquals(List.of(16, 1176), java.util.Arrays.stream(file.get("pixel_values_videos").shape()).boxed().toList());
        assertEquals(1.0, file.get("second_per_grid_ts").getFloat(0), 0.0);

        Path spec = tmp.resolve("video_spec.json");
        Files.writeString(spec, """
                {"input_ids": [[151644, 151652, 151656, 151656, 151656, 151656, 151653, 9707]], "generate": 2,
                 "pixel_values_videos": "video.safetensors", "video_grid_thw": "video.safetensors",
                 "second_per_grid_ts": "video.safetensors"}""");
        Path result = tmp.resolve("video_out.safetensors");
        CliRunner f = CliRunner.run("forward", "--model", model.toString(), "--input", spec.toString(), "--output", result.toString());
        assertEquals(0, f.exitCode(), f.err());
        Safetensors.File logits = Safetensors.open(result);
        assertEquals(List.of(1, 8, 151936), java.util.Arrays.stream(logits.get("logits").shape()).boxed().toList());
        assertEquals(List.of(1, 2), java.util.Arrays.stream(logits.get("generated_ids").shape()).boxed().toList());
    }

    @Test
    void preprocessPanAndScanAddsCropsForGemma3() throws IOException {
        Path dir = TestData.resource("vision/gemma3");
        Path wide = tmp.resolve("wide.png");
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(700, 300, java.awt.image.BufferedImage.TYPE_INT_RGB);
        javax.imageio.ImageIO.write(img, "png", wide.toFile());
        Path out = tmp.resolve("pas.safetensors");
        CliRunner r = CliRunner.run("preprocess", "--model", dir.toString(), "--image", wide.toString(), "--pan-and-scan",
                "--output", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode summary = Json.parse(r.out(), "preprocess output").get("images").get(0);
        assertEquals(2, summary.get("num_crops").asInt(), "700x300: ratio 2.33 -> 2 crops of 350x300");
        assertEquals(3 * 4, summary.get("num_image_tokens").asInt());
        assertTrue(summary.get("prompt").asText().startsWith("Here is the original image \n\n<start_of_image>"));
        assertEquals(3, Safetensors.open(out).get("pixel_values").dim(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava", "llava_next", "idefics3", "qwen2_5_vl", "gemma3"})
    void preprocessWritesTheReferenceTensors(String family) throws IOException {
        Path dir = TestData.resource("vision/" + family);
        Path out = tmp.resolve(family + ".safetensors");
        CliRunner r = CliRunner.run("preprocess", "--model", dir.toString(), "--image", dir.resolve("02_rgb_tall_w30_h97.png").toString(),
                "--output", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode summary = Json.parse(r.out(), "preprocess output").get("images").get(0);
        JsonNode expected = Json.read(dir.resolve("02_rgb_tall_w30_h97.expected.json"));
        assertEquals(expected.get("num_image_tokens"), summary.get("num_image_tokens"));
        assertEquals(30, summary.get("width").asInt());
        Safetensors.File want = Safetensors.open(dir.resolve("02_rgb_tall_w30_h97.expected.safetensors"));
        assertClose(Safetensors.open(out).get("pixel_values"), want.get("pixel_values"), 1e-5, family + " pixel_values");
    }
}
