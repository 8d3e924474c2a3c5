package dev.jvlm.server;

import dev.jvlm.JvlmException;
import dev.jvlm.api.Vlm;
import dev.jvlm.generate.ContinuousBatch;
import dev.jvlm.generate.Generator;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.generate.Sequence;
import dev.jvlm.models.Prefill;
import dev.jvlm.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Continuous batching of chat requests. One worker thread owns the model and a {@link ContinuousBatch}:
 * between decode steps it prefills waiting requests (images encoded then) and adds them to the batch,
 * up to {@code maxBatch}, and takes out the cancelled and timed-out ones; each decode step then
 * produces one token for every running request in one batched forward. HTTP threads render the prompt
 * and process images before a request queues, and turn its tokens into text afterwards, in parallel
 * with the model.
 *
 * <p>At most {@code maxBatch + queueCapacity} requests are admitted at a time (being prepared, waiting
 * or running); one more is refused at once (429) rather than left to wait without bound.
 */
final class Scheduler implements AutoCloseable {
    private final Vlm vlm;
    private final int contextLength;
    private final int maxBatch;
    private final int admissions;
    private final Metrics metrics;
    private final Semaphore admitted;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final ContinuousBatch batch;
    /** The job of each running sequence; only the worker touches it. */
    private final Map<Sequence, Job> running = new LinkedHashMap<>();
    private final Thread worker;
    /** The running jobs, published for {@link #cancelAll} (the worker owns {@link #running}). */
    private volatile List<Job> runningJobs = List.of();
    private volatile int runningCount;
    private volatile long cacheBytes;
    private volatile ApiError closing;

    Scheduler(Vlm vlm, int maxBatch, int queueCapacity, Metrics metrics) {
        this.vlm = vlm;
        this.contextLength = vlm.model().config().maxPositionEmbeddings();
        this.maxBatch = maxBatch;
        this.admissions = maxBatch + queueCapacity;
        this.metrics = metrics;
        this.admitted = new Semaphore(admissions);
        this.batch = new ContinuousBatch(vlm.model());
        this.worker = Thread.ofPlatform().name("jvlm-generate").daemon().start(this::work);
    }

    /**
     * Admits a request: renders its prompt and processes its images on the calling thread, then queues
     * it for the worker. A 429 when {@code maxBatch + queueCapacity} requests are already admitted, a 400
     * when the prompt does not fit the context.
     */
    Job submit(ChatRequest request, long deadlineNanos) {
        if (!admitted.tryAcquire()) {
            throw new ApiError(429, "rate_limit_error", null, "queue_full", "the server is busy (" + runningCount
                    + " requests running, " + queue.size() + " waiting); retry shortly");
        }
        Job job = new Job(request, deadlineNanos);
        try {
            prepare(job);
            if (closing != null) {
                throw closing;
            }
            queue.add(job);
            return job;
        } catch (RuntimeException e) {
            job.release();
            throw e;
        }
    }

    private void prepare(Job job) {
        Map<String, Tensor> imageTensors = new LinkedHashMap<>();
        long[] ids;
        try {
            ids = vlm.promptIds(job.request.conversation(), imageTensors);
        } catch (JvlmException e) {
            // What the core rejects in a request (an image for a text-only model, say) is the client's error.
            throw ApiError.invalid("messages", e.getMessage());
        }
        int room = contextLength - ids.length;
        if (room < 1) {
            throw new ApiError(400, "invalid_request_error", "messages", "context_length_exceeded", "the prompt is "
                    + ids.length + " tokens, and this model's context length is " + contextLength + " tokens");
        }
        SamplingParams p = job.request.sampling();
        job.params = new SamplingParams(Math.min(p.maxNewTokens(), room), p.temperature(), p.topK(), p.topP(), p.minP(),
                p.repetitionPenalty(), p.seed(), p.stopTokenIds(), p.stopStrings());
        job.ids = ids;
        job.imageTensors = imageTensors;
    }

    int queueDepth() {
        return queue.size();
    }

    int runningCount() {
        return runningCount;
    }

    /** Bytes the running requests' KV caches hold. */
    long cacheBytes() {
        return cacheBytes;
    }

    /** Waits until no request is admitted, at most until {@code deadlineNanos}; true if idle. */
    boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        while (admitted.availablePermits() < admissions) {
            if (System.nanoTime() >= deadlineNanos) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /**
     * Refuses new requests with {@code why} and cancels the running and queued ones: queued ones are
     * answered at once, running ones when the worker next takes them out of the batch.
     */
    void cancelAll(ApiError why) {
        closing = why;
        List<Job> waiting = new ArrayList<>();
        queue.drainTo(waiting);
        for (Job job : waiting) {
            job.end(new Job.Failed(why));
        }
        // The worker takes them out of the batch at its next step.
        for (Job job : runningJobs) {
            job.cancel(why);
        }
    }

    @Override
    public void close() {
        worker.interrupt();
    }

    private void work() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    admit();
                    retireCancelled();
                    if (batch.size() > 0) {
                        decodeStep();
                    }
                } catch (RuntimeException | OutOfMemoryError e) {
                    // A step fails as a whole (the batch's caches are no longer consistent); the worker goes on.
                    failRunning(new ApiError(500, "server_error", null, null, "generation failed: " + e));
                }
                publish();
            }
        } catch (InterruptedException e) {
            // close(): answer what is left
        } finally {
            ApiError why = closing != null ? closing
                    : new ApiError(503, "server_error", null, "shutting_down", "the server is shutting down");
            failRunning(why);
            List<Job> waiting = new ArrayList<>();
            queue.drainTo(waiting);
            for (Job job : waiting) {
                job.end(new Job.Failed(why));
            }
            publish();
        }
    }

    private void failRunning(ApiError why) {
        for (Job job : running.values()) {
            job.end(new Job.Failed(why));
        }
        running.clear();
        batch.clear();
    }

    /** Adds waiting requests to the batch while it has room; waits for one when nothing runs. */
    private void admit() throws InterruptedException {
        Job job = batch.size() == 0 ? queue.take() : batch.size() < maxBatch ? queue.poll() : null;
        while (job != null) {
            start(job);
            job = batch.size() < maxBatch ? queue.poll() : null;
        }
    }

    /** Prefills a request and adds it to the batch; its first token comes from the prefill. */
    private void start(Job job) {
        ApiError why = job.cancellation();
        if (why != null) {
            metrics.cancelled();
            job.end(new Job.Failed(why));
            return;
        }
        try {
            Prefill prefill = vlm.prefill(job.ids, job.imageTensors);
            job.imageTensors = null;
            Sequence s = batch.add(job.ids, prefill, job.params, id -> job.events.add(new Job.Token(id)), vlm::decodeGenerated);
            if (s.finished()) {
                finish(job, s);
            } else {
                running.put(s, job);
            }
        } catch (JvlmException e) {
            job.end(new Job.Failed(ApiError.invalid("messages", e.getMessage())));
        } catch (RuntimeException | OutOfMemoryError e) {
            job.end(new Job.Failed(new ApiError(500, "server_error", null, null, "prefill failed: " + e)));
        }
    }

    /** Takes cancelled and timed-out requests out of the batch; the others do not notice. */
    private void retireCancelled() {
        for (var it = running.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            Job job = entry.getValue();
            ApiError why = job.cancellation();
            if (why != null) {
                batch.remove(entry.getKey());
                it.remove();
                metrics.cancelled();
                job.end(new Job.Failed(why));
            }
        }
    }

    private void decodeStep() {
        int rows = batch.size();
        long t0 = System.nanoTime();
        List<Sequence> finished = batch.step();
        metrics.decodeStep(rows, (System.nanoTime() - t0) / 1e9);
        for (Sequence s : finished) {
            finish(running.remove(s), s);
        }
    }

    private void finish(Job job, Sequence s) {
        metrics.tokens(s.promptTokens(), s.completionTokens());
        job.end(new Job.Finished(s.promptTokens(), s.completionTokens(), s.finishReason()));
    }

    private void publish() {
        runningCount = running.size();
        cacheBytes = batch.cacheBytes();
        runningJobs = List.copyOf(running.values());
    }

    /** One request's passage through the scheduler; the HTTP handler reads its events. */
    final class Job {
        final ChatRequest request;
        final long deadlineNanos;
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile ApiError cancelledBecause;
        long[] ids;
        Map<String, Tensor> imageTensors;
        SamplingParams params;

        Job(ChatRequest request, long deadlineNanos) {
            this.request = request;
            this.deadlineNanos = deadlineNanos;
        }

        sealed interface Event permits Token, Finished, Failed {
        }

        /** A generated token id. */
        record Token(int id) implements Event {
        }

        record Finished(int promptTokens, int completionTokens, Generator.FinishReason reason) implements Event {
        }

        record Failed(ApiError error) implements Event {
        }

        /**
         * Stops this request: a waiting one leaves the queue (and frees its place) at once, a running
         * one the worker takes out of the batch before its next step.
         */
        void cancel(ApiError why) {
            cancelledBecause = why;
            if (queue.remove(this)) {
                metrics.cancelled();
                end(new Failed(why));
            }
        }

        /**
         * The next event, or a timeout failure once the deadline passes (the generation is then
         * cancelled so that the worker drops it).
         */
        Event next() throws InterruptedException {
            Event e = events.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e != null) {
                return e;
            }
            ApiError timeout = timeout();
            cancel(timeout);
            return new Failed(timeout);
        }

        /** Why the request must stop now, or null. */
        private ApiError cancellation() {
            ApiError why = cancelledBecause;
            return why == null && System.nanoTime() > deadlineNanos ? timeout() : why;
        }

        /** Sends the last event and frees the request's admission, once. */
        private void end(Event last) {
            if (ended.compareAndSet(false, true)) {
                events.add(last);
                admitted.release();
            }
        }

        private void release() {
            if (ended.compareAndSet(false, true)) {
                admitted.release();
            }
        }

        private static ApiError timeout() {
            return new ApiError(504, "timeout_error", null, "request_timeout", "the request took longer than the server's timeout");
        }
    }
}
