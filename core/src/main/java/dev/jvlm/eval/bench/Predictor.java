package dev.jvlm.eval.bench;

import dev.jvlm.vision.DecodedImage;
import java.util.List;

/**
 * The model under evaluation, as the runner sees it: one user turn (the images, then the text) in,
 * the reply text out. With a {@code dev.jvlm.api.Vlm}:
 *
 * <pre>{@code
 * Predictor predictor = (prompt, images, maxNewTokens) -> vlm.reply(new Conversation().user(prompt, images),
 *         SamplingParams.greedy(maxNewTokens).withStops(vlm.defaultSampling().stopTokenIds(), List.of()), null).text();
 * }</pre>
 */
@FunctionalInterface
public interface Predictor {
    /**
     * @throws dev.jvlm.JvlmException when the model cannot take this item (the run skips it and says why);
     *                                any other exception ends the run, which a re-run resumes
     */
    String predict(String prompt, List<DecodedImage> images, int maxNewTokens);
}
