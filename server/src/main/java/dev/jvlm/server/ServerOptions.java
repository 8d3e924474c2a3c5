package dev.jvlm.server;

import java.time.Duration;

/**
 * How {@link VlmServer} listens and what it accepts. The limits protect the one model the server
 * holds: every one of them turns an oversized request into a 4xx before it costs memory or compute.
 *
 * @param servedModelName the model id clients must send; null: the model directory's name
 * @param maxBodyBytes largest request body read
 * @param maxImageBytes largest single image (after base64 decoding, or as downloaded)
 * @param maxImagePixels largest image width x height, checked before its pixels are decoded
 * @param maxImagesPerRequest most images in one request
 * @param maxTokens upper bound (and default) for a request's {@code max_tokens}
 * @param maxBatch most requests decoded together (the continuous batch's size)
 * @param queueCapacity requests waiting for a place in the batch; more get 429
 * @param requestTimeout longest a request may wait plus generate
 * @param urlFetch whether {@code http(s)} image URLs are downloaded
 * @param urlFetchTimeout longest one image download may take
 * @param allowLocalFiles whether {@code file:} URLs and plain paths are read from this machine's disk
 * @param shutdownGrace how long shutdown lets running and queued requests finish before cancelling them
 */
public record ServerOptions(String host, int port, String servedModelName, long maxBodyBytes, long maxImageBytes,
                            long maxImagePixels, int maxImagesPerRequest, int maxTokens, int maxBatch, int queueCapacity,
                            Duration requestTimeout, boolean urlFetch, Duration urlFetchTimeout, boolean allowLocalFiles,
                            Duration shutdownGrace) {

    /** Loopback on 8080 with limits fit for a laptop. */
    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 8080, null, 32L << 20, 16L << 20, 16_000_000L, 8, 2048, 16, 16,
                Duration.ofMinutes(5), true, Duration.ofSeconds(10), false, Duration.ofSeconds(30));
    }
}
