package dev.jvlm.server;

import dev.jvlm.JvlmException;
import dev.jvlm.api.Conversation;
import dev.jvlm.api.Vlm;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs chat requests on the model one at a time, in arrival order, from a bounded queue. A single
 * worker owns the model because {@link Vlm} generates one conversation per call; batching the decode
 * steps of concurrent requests (continuous batching) needs a step-level generator API that the core
 * does not expose yet. Requests beyond the queue's capacity are refused at once (429) rather than
 * left to wait without bound.
 */
final class Scheduler implements AutoCloseable {
    private final Vlm vlm;
    private final int contextLength;
    private final Metrics metrics;
    private final BlockingQueue<Job> queue;
    private final Thread worker;
    private volatile Job running;

    Scheduler(Vlm vlm, int queueCapacity, Metrics metrics) {
        this.vlm = vlm;
        this.contextLength = vlm.model().config().maxPositionEmbeddings();
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.worker = Thread.ofPlatform().name("jvlm-generate").daemon().start(this::work);
    }

    /** Queues a request; a 429 when the queue is full. */
    Job submit(ChatRequest request, long deadlineNanos) {
        Job job = new Job(request, deadlineNanos);
        if (!queue.offer(job)) {
            throw new ApiError(429, "rate_limit_error", null, "queue_full",
                    "the server is busy (" + queue.size() + " requests waiting); retry shortly");
        }
        return job;
    }

    int queueDepth() {
        return queue.size();
    }

    int runningCount() {
        return running == null ? 0 : 1;
    }

    /** Waits until no request is queued or running, at most until {@code deadlineNanos}; true if idle. */
    boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        while (!queue.isEmpty() || running != null) {
            if (System.nanoTime() >= deadlineNanos) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Cancels the running request and every queued one, answering each with {@code why}. */
    void cancelAll(ApiError why) {
        List<Job> waiting = new ArrayList<>();
        queue.drainTo(waiting);
        for (Job job : waiting) {
            job.cancel(why);
            job.events.add(new Job.Failed(why));
        }
        Job current = running;
        if (current != null) {
            current.cancel(why);
        }
    }

    @Override
    public void close() {
        worker.interrupt();
    }

    private void work() {
        while (!Thread.currentThread().isInterrupted()) {
            Job job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            running = job;
            try {
                run(job);
            } finally {
                running = null;
            }
        }
    }

    private void run(Job job) {
        try {
            job.checkCancelled();
            Conversation chat = job.request.conversation();
            Map<String, Tensor> imageTensors = new LinkedHashMap<>();
            // Vlm.reply encodes the prompt again; the first encoding is only to check the length, and
            // costs little next to generation.
            int promptTokens = vlm.promptIds(chat, imageTensors).length;
            int room = contextLength - promptTokens;
            if (room < 1) {
                throw new ApiError(400, "invalid_request_error", "messages", "context_length_exceeded", "the prompt is "
                        + promptTokens + " tokens, and this model's context length is " + contextLength + " tokens");
            }
            SamplingParams p = job.request.sampling();
            SamplingParams params = new SamplingParams(Math.min(p.maxNewTokens(), room), p.temperature(), p.topK(), p.topP(),
                    p.minP(), p.repetitionPenalty(), p.seed(), p.stopTokenIds(), p.stopStrings());
            job.events.add(new Job.Started(promptTokens));
            Vlm.Reply reply = vlm.reply(chat, params, piece -> {
                job.checkCancelled();
                job.events.add(new Job.Text(piece));
            });
            metrics.tokens(reply.promptTokens(), reply.completionTokens());
            job.events.add(new Job.Finished(reply));
        } catch (Cancelled c) {
            metrics.cancelled();
            job.events.add(new Job.Failed(c.why));
        } catch (ApiError e) {
            job.events.add(new Job.Failed(e));
        } catch (JvlmException e) {
            // What the core rejects in a request (an image for a text-only model, say) is the client's error.
            job.events.add(new Job.Failed(ApiError.invalid("messages", e.getMessage())));
        } catch (RuntimeException | OutOfMemoryError e) {
            job.events.add(new Job.Failed(new ApiError(500, "server_error", null, null, "generation failed: " + e)));
        }
    }

    /** One request's passage through the scheduler; the HTTP handler reads its events. */
    static final class Job {
        final ChatRequest request;
        final long deadlineNanos;
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private volatile ApiError cancelledBecause;

        Job(ChatRequest request, long deadlineNanos) {
            this.request = request;
            this.deadlineNanos = deadlineNanos;
        }

        sealed interface Event permits Started, Text, Finished, Failed {
        }

        /** The prompt fits and generation begins. */
        record Started(int promptTokens) implements Event {
        }

        record Text(String piece) implements Event {
        }

        record Finished(Vlm.Reply reply) implements Event {
        }

        record Failed(ApiError error) implements Event {
        }

        /** Stops the generation at its next text piece (or before it starts). */
        void cancel(ApiError why) {
            cancelledBecause = why;
        }

        /**
         * The next event, or a timeout failure once the deadline passes (the generation is then
         * cancelled so that the worker moves on).
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

        private void checkCancelled() {
            ApiError why = cancelledBecause;
            if (why == null && System.nanoTime() > deadlineNanos) {
                why = timeout();
            }
            if (why != null) {
                throw new Cancelled(why);
            }
        }

        private static ApiError timeout() {
            return new ApiError(504, "timeout_error", null, "request_timeout", "the request took longer than the server's timeout");
        }
    }

    /** Unwinds a generation from inside its text callback. */
    private static final class Cancelled extends RuntimeException {
        final ApiError why;

        Cancelled(ApiError why) {
            super(why.getMessage(), null, false, false);
            this.why = why;
        }
    }
}
