package dev.jvlm.generate;

import dev.jvlm.models.KVCache;
import java.util.Arrays;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * One prompt's generation inside a {@link ContinuousBatch}: its KV cache, next position, sampler,
 * stop conditions and the tokens so far.
 */
public final class Sequence {
    /** Positions a cache starts with beyond the prompt; it doubles when full, up to what the sequence can need. */
    private static final int INITIAL_ROOM = 64;

    final KVCache cache;
    private final SamplingParams params;
    private final Sampler sampler;
    private final IntConsumer onToken;
    private final Function<long[], String> detokenize;
    private final int promptTokens;
    /** Prompt and generated ids, as the repetition penalty sees them. */
    private long[] ids;
    private int count;
    int nextPosition;
    private Generator.FinishReason finishReason;

    Sequence(KVCache cache, long[] prompt, int nextPosition, SamplingParams params, IntConsumer onToken,
             Function<long[], String> detokenize) {
        this.cache = cache;
        this.params = params;
        this.sampler = new Sampler(params);
        this.onToken = onToken;
        this.detokenize = detokenize;
        this.promptTokens = prompt.length;
        this.ids = Arrays.copyOf(prompt, prompt.length + Math.min(params.maxNewTokens(), INITIAL_ROOM));
        this.count = prompt.length;
        this.nextPosition = nextPosition;
    }

    /** Cache capacity for a prompt of {@code promptTokens} that may generate {@code maxNewTokens}. */
    static int initialCapacity(int promptTokens, int maxNewTokens) {
        return promptTokens + Math.min(maxNewTokens, INITIAL_ROOM);
    }

    public int promptTokens() {
        return promptTokens;
    }

    /** The generated ids so far (the stop token included when one ended the sequence). */
    public long[] tokens() {
        return Arrays.copyOfRange(ids, promptTokens, count);
    }

    public int completionTokens() {
        return count - promptTokens;
    }

    /** Why the sequence ended; null while it runs. */
    public Generator.FinishReason finishReason() {
        return finishReason;
    }

    public boolean finished() {
        return finishReason != null;
    }

    /** Bytes its KV cache holds. */
    public long cacheBytes() {
        return cache.bytes();
    }

    /** The token the next decode step feeds: the last one chosen. */
    long lastToken() {
        return ids[count - 1];
    }

    /** Makes room in the cache for the next decode step, doubling it (never beyond what the sequence can need). */
    void reserveNextPosition() {
        if (cache.length() == cache.capacity()) {
            int most = promptTokens + params.maxNewTokens();
            cache.reserve(Math.min(most, 2 * cache.capacity()));
        }
    }

    /** Chooses the next token from {@code logits[off, off + vocab)}, reports it and checks the stop conditions. */
    void accept(float[] logits, int off, int vocab) {
        int token = sampler.next(logits, off, vocab, ids, count);
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, Math.min(promptTokens + params.maxNewTokens(), 2 * ids.length));
        }
        ids[count++] = token;
        if (onToken != null) {
            onToken.accept(token);
        }
        finishReason = Generator.finishReason(params, token, ids, promptTokens, count, detokenize);
    }

    void finishEmpty() {
        finishReason = Generator.FinishReason.LENGTH;
    }
}
