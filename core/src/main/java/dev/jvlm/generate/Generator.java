package dev.jvlm.generate;

import dev.jvlm.JvlmException;
import dev.jvlm.models.KVCache;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.Prefill;
import dev.jvlm.models.TextDecoder;
import dev.jvlm.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;

/**
 * Autoregressive generation with a KV cache, for one sequence or a left-padded batch, from token ids
 * or from a multimodal prefill. Positions follow Hugging Face's generate(): counted over real tokens
 * ({@code cumsum(attention_mask) - 1}), or Qwen2-VL's rope index and deltas.
 */
public final class Generator {
    private Generator() {
    }

    /** Why a sequence stopped. */
    public enum FinishReason { LENGTH, STOP_TOKEN, STOP_STRING }

    /** Receives each new token as soon as it is chosen. */
    @FunctionalInterface
    public interface TokenListener {
        void onToken(int sequence, int tokenId);
    }

    /** Generated ids per sequence (without the prompt, stop token included when one ended it). */
    public record Result(long[][] tokens, FinishReason[] finishReasons, int promptTokens) {
    }

    /**
     * Generates for each prompt (rows may differ in length; shorter ones are left-padded).
     *
     * @param detokenize turns generated ids into text for stop strings; may be null when there are none
     */
    public static Result generate(LanguageModel lm, long[][] prompts, SamplingParams params, TokenListener listener,
                                  Function<long[], String> detokenize) {
        int batch = prompts.length;
        int width = 0;
        for (long[] p : prompts) {
            if (p.length == 0) {
                throw new JvlmException("cannot generate from an empty prompt");
            }
            width = Math.max(width, p.length);
        }
        if (!params.stopStrings().isEmpty() && detokenize == null) {
            throw new IllegalArgumentException("stop strings need a tokenizer");
        }
        long pad = lm.generationConfig().padTokenId() != null ? lm.generationConfig().padTokenId() : 0;
        long[][] ids = new long[batch][width];
        int[][] mask = new int[batch][width];
        for (int b = 0; b < batch; b++) {
            int offset = width - prompts[b].length;
            Arrays.fill(ids[b], 0, offset, pad);
            System.arraycopy(prompts[b], 0, ids[b], offset, prompts[b].length);
            Arrays.fill(mask[b], offset, width, 1);
        }
        return generate(lm, ids, mask, params, listener, detokenize);
    }

    /** Generates from already padded ids with their attention mask (0 marks left padding). */
    public static Result generate(LanguageModel lm, long[][] ids, int[][] mask, SamplingParams params,
                                  TokenListener listener, Function<long[], String> detokenize) {
        return generate(lm, ids, lm.prefill(ids, mask, Map.of()), params, listener, detokenize);
    }

    /**
     * Generates after a prefill of {@code ids} that may carry more than token embeddings (image
     * features merged by {@link LanguageModel#prefill}); the KV cache keeps them for every step.
     * Positions follow generate(): counted over real tokens, except for M-RoPE families, whose prefill
     * positions come from the image grids and whose later tokens continue from the rope deltas.
     */
    public static Result generate(LanguageModel lm, long[][] ids, Prefill prefill, SamplingParams params,
                                  TokenListener listener, Function<long[], String> detokenize) {
        TextDecoder decoder = lm.decoder();
        int batch = ids.length;
        int width = ids[0].length;
        if (prefill.batch() != batch || prefill.tokens() != width) {
            throw new IllegalArgumentException("prefill of " + prefill.batch() + "x" + prefill.tokens() + " tokens for ids of "
                    + batch + "x" + width);
        }
        int[][] mask = prefill.attentionMask();
        if (mask == null) {
            mask = new int[batch][width];
            for (int[] row : mask) {
                Arrays.fill(row, 1);
            }
        }
        int capacity = width + params.maxNewTokens();
        KVCache cache = new KVCache(lm.config(), batch, capacity);
        int[][][] positions = prefillPositions(lm, prefill, mask);
        int[] nextPosition = new int[batch];
        long[][] seen = new long[batch][capacity];
        int[] seenCount = new int[batch];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < width; t++) {
                if (mask[b][t] != 0) {
                    seen[b][seenCount[b]++] = ids[b][t];
                }
            }
            nextPosition[b] = nextPosition(prefill, mask, b);
        }
        Sampler[] samplers = new Sampler[batch];
        for (int b = 0; b < batch; b++) {
            samplers[b] = new Sampler(new SamplingParams(params.maxNewTokens(), params.temperature(), params.topK(),
                    params.topP(), params.minP(), params.repetitionPenalty(), params.seed() + b, params.stopTokenIds(),
                    params.stopStrings()));
        }
        long[][] out = new long[batch][params.maxNewTokens()];
        int[] produced = new int[batch];
        FinishReason[] reasons = new FinishReason[batch];
        long pad = lm.generationConfig().padTokenId() != null ? lm.generationConfig().padTokenId() : 0;
        if (params.maxNewTokens() == 0) {
            Arrays.fill(reasons, FinishReason.LENGTH);
            return new Result(out, reasons, width);
        }
        Tensor hidden = decoder.forward(prefill.inputsEmbeds(), positions, mask, prefill.groups(), cache, null);
        int vocab = lm.config().vocabSize();
        int d = lm.config().hiddenSize();
        for (int step = 0; step < params.maxNewTokens(); step++) {
            Tensor lastRows = lastPositions(hidden, d);
            float[] logits = decoder.logits(lastRows).floats();
            long[][] next = new long[batch][1];
            boolean anyActive = false;
            for (int b = 0; b < batch; b++) {
                if (reasons[b] != null) {
                    next[b][0] = pad;
                    continue;
                }
                int token = samplers[b].next(logits, b * vocab, vocab, seen[b], seenCount[b]);
                next[b][0] = token;
                seen[b][seenCount[b]++] = token;
                out[b][produced[b]++] = token;
                if (listener != null) {
                    listener.onToken(b, token);
                }
                reasons[b] = finishReason(params, token, out[b], 0, produced[b], detokenize);
                anyActive |= reasons[b] == null;
            }
            if (!anyActive) {
                break;
            }
            int[][][] pos = new int[positions.length][batch][1];
            int[][] stepMask = new int[batch][1];
            for (int b = 0; b < batch; b++) {
                for (int[][] axis : pos) {
                    axis[b][0] = nextPosition[b];
                }
                nextPosition[b]++;
                stepMask[b][0] = 1;
            }
            hidden = decoder.forward(lm.embed(next), pos, stepMask, null, cache, null);
        }
        long[][] trimmed = new long[batch][];
        for (int b = 0; b < batch; b++) {
            trimmed[b] = Arrays.copyOf(out[b], produced[b]);
        }
        return new Result(trimmed, reasons, width);
    }

    /**
     * The positions of a prefill as generate() numbers them: the family's own (image grids) for
     * M-RoPE families, else counted over real tokens.
     */
    static int[][][] prefillPositions(LanguageModel lm, Prefill prefill, int[][] mask) {
        return prefill.ropeDeltas() != null ? prefill.positions()
                : lm.positions(LanguageModel.PositionStyle.MASK_CUMSUM, mask, prefill.batch(), prefill.tokens());
    }

    /** The position of row {@code b}'s first generated token: after its real tokens, or from the rope delta. */
    static int nextPosition(Prefill prefill, int[][] mask, int b) {
        if (prefill.ropeDeltas() != null) {
            return prefill.tokens() + prefill.ropeDeltas()[b];
        }
        int real = 0;
        for (int m : mask[b]) {
            real += m != 0 ? 1 : 0;
        }
        return real;
    }

    /**
     * Why a sequence ends with {@code token}, the last of its generated ids {@code ids[from, to)};
     * null when it goes on.
     */
    static FinishReason finishReason(SamplingParams params, int token, long[] ids, int from, int to,
                                     Function<long[], String> detokenize) {
        if (contains(params.stopTokenIds(), token)) {
            return FinishReason.STOP_TOKEN;
        }
        if (!params.stopStrings().isEmpty() && endsInStopString(detokenize.apply(Arrays.copyOfRange(ids, from, to)), params)) {
            return FinishReason.STOP_STRING;
        }
        return to - from == params.maxNewTokens() ? FinishReason.LENGTH : null;
    }

    static Tensor lastPositions(Tensor hidden, int d) {
        int batch = hidden.dim(0);
        int tokens = hidden.dim(1);
        float[] h = hidden.floats();
        float[] rows = new float[batch * d];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(h, (b * tokens + tokens - 1) * d, rows, b * d, d);
        }
        return Tensor.of(rows, batch, d);
    }

    private static boolean contains(int[] ids, int token) {
        for (int id : ids) {
            if (id == token) {
                return true;
            }
        }
        return false;
    }

    private static boolean endsInStopString(String text, SamplingParams params) {
        for (String s : params.stopStrings()) {
            if (!s.isEmpty() && text.contains(s)) {
                return true;
            }
        }
        return false;
    }
}
