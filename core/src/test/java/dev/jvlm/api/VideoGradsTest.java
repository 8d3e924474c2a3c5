package dev.jvlm.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.tensor.Tensor;
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.DecodedVideo;
import dev.jvlm.vision.Qwen2VlVideoProcessor;
import dev.jvlm.vision.VideoSampling;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Gradients through the video path: the Qwen2-VL training reference's image, given as a video of two
 * identical frames (video pad tokens, {@code pixel_values_videos} from the video processor), must give
 * Hugging Face's loss, logits and every gradient of the image example.
 */
class VideoGradsTest {
    @Test
    void aStillVideoTrainsExactlyAsTheImage() throws IOException {
        ForwardSpec image = TrainingReference.input("qwen2_vl");
        DecodedImage frame = Images.load(TrainingReference.dir("qwen2_vl").resolve("image_0.png"));
        Videos.Processed video = Videos.process(Qwen2VlVideoProcessor.fromDirectory(TrainingReference.model("qwen2_vl")),
                List.of(DecodedVideo.of("still", List.of(frame, frame))), VideoSampling.DEFAULT);
        long[][] ids = new long[image.inputIds().length][];
        for (int b = 0; b < ids.length; b++) {
            ids[b] = image.inputIds()[b].clone();
            for (int t = 0; t < ids[b].length; t++) {
                ids[b][t] = ids[b][t] == 502 ? 503 : ids[b][t];
            }
        }
        Map<String, Tensor> inputs = new LinkedHashMap<>(video.tensors());
        ForwardSpec spec = new ForwardSpec(ids, image.attentionMask(), 0, inputs, image.labels());
        double worst = TrainingReference.assertFull("qwen2_vl", Grads.run(TrainingReference.model("qwen2_vl"), spec, new Grads.Mode.Full()));
        assertTrue(worst < TrainingReference.TOLERANCE, "worst relative gradient error " + worst);
    }
}
