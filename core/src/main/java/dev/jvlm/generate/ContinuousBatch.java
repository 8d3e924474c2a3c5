package dev.jvlm.generate;

import dev.jvlm.JvlmException;
import dev.jvlm.models.KVCache;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.Prefill;
import dev.jvlm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * Continuous batching: sequences join and leave a running batch between decode steps. Each
 * {@link Sequence} has its own KV cache, position, sampler and stop conditions; {@link #step} decodes
 * one token for every running sequence in one batched forward ({@link LanguageModel#decode}), whose
 * linear layers read the weights once for all of them. A sequence is prefilled alone when it joins,
 * images included. A sequence gets the tokens it would get from {@link Generator} alone: the same
 * kernels, and a sampler seeded from its own parameters.
 *
 * <p>One thread drives a batch; token listeners run on it, inside {@link #add} and {@link #step}.
 */
public final class ContinuousBatch {
    private final LanguageModel lm;
    private final List<Sequence> running = new ArrayList<>();

    public ContinuousBatch(LanguageModel lm) {
        this.lm = lm;
    }

    /**
     * Prefills one prompt and, unless its first token already ends it, adds it to the batch. The
     * first token is chosen from the prefill's logits and reported before this returns.
     *
     * @param prefill    {@link LanguageModel#prefill} of {@code ids} as a batch of one (images merged)
     * @param onToken    receives every chosen token; may be null
     * @param detokenize turns generated ids into text for stop strings; may be null when there are none
     */
    public Sequence add(long[] ids, Prefill prefill, SamplingParams params, IntConsumer onToken,
                        Function<long[], String> detokenize) {
        if (ids.length == 0) {
            throw new JvlmException("cannot generate from an empty prompt");
        }
        if (prefill.batch() != 1 || prefill.tokens() != ids.length) {
            throw new IllegalArgumentException("prefill of " + prefill.batch() + "x" + prefill.tokens() + " tokens for one prompt of "
                    + ids.length);
        }
        if (!params.stopStrings().isEmpty() && detokenize == null) {
            throw new IllegalArgumentException("stop strings need a tokenizer");
        }
        int[][] mask = prefill.attentionMask();
        if (mask == null) {
            mask = new int[1][ids.length];
            Arrays.fill(mask[0], 1);
        }
        KVCache cache = new KVCache(lm.config(), 1, Sequence.initialCapacity(ids.length, params.maxNewTokens()));
        Sequence s = new Sequence(cache, ids, Generator.nextPosition(prefill, mask, 0), params, onToken, detokenize);
        if (params.maxNewTokens() == 0) {
            s.finishEmpty();
            return s;
        }
        Tensor hidden = lm.decoder().forward(prefill.inputsEmbeds(), Generator.prefillPositions(lm, prefill, mask), mask,
                prefill.groups(), cache, null);
        float[] logits = lm.decoder().logits(Generator.lastPositions(hidden, lm.config().hiddenSize())).floats();
        s.accept(logits, 0, lm.config().vocabSize());
        if (!s.finished()) {
            running.add(s);
        }
        return s;
    }

    /**
     * Decodes one token for every running sequence in one batched forward; returns the sequences
     * that finished with it, which have left the batch.
     */
    public List<Sequence> step() {
        int rows = running.size();
        if (rows == 0) {
            return List.of();
        }
        long[] tokens = new long[rows];
        int[] positions = new int[rows];
        List<KVCache> caches = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            Sequence s = running.get(r);
            s.reserveNextPosition();
            tokens[r] = s.lastToken();
            positions[r] = s.nextPosition;
            caches.add(s.cache);
        }
        float[] logits = lm.decode(tokens, positions, caches).floats();
        int vocab = lm.config().vocabSize();
        List<Sequence> finished = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            Sequence s = running.get(r);
            s.nextPosition++;
            s.accept(logits, r * vocab, vocab);
            if (s.finished()) {
                finished.add(s);
            }
        }
        running.removeAll(finished);
        return finished;
    }

    /** Takes a sequence out of the batch (a cancelled request); its cache goes with it. */
    public void remove(Sequence s) {
        running.remove(s);
    }

    /** Takes every sequence out of the batch. */
    public void clear() {
        running.clear();
    }

    /** Sequences running. */
    public int size() {
        return running.size();
    }

    /** The running sequences, in the order they joined. */
    public List<Sequence> sequences() {
        return List.copyOf(running);
    }

    /** Bytes the running sequences' KV caches hold. */
    public long cacheBytes() {
        long bytes = 0;
        for (Sequence s : running) {
            bytes += s.cacheBytes();
        }
        return bytes;
    }
}
