package dev.jvlm.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The one shared thread pool of jvlm's kernels. A fixed set of workers spins briefly between jobs and
 * then parks, because decoding hands out hundreds of small jobs per token and a park/unpark round
 * trip per job would cost more than the job. The calling thread always takes part in its own job.
 * Jobs submitted from inside a job run serially on the calling thread.
 */
public final class Parallel {
    private static final long SPIN_NANOS = 200_000;
    /**
     * How long a waiting worker spins before it starts yielding: longer than the serial work between
     * two jobs of a decode step (attention, norms), so the next job finds it awake and not inside a
     * sched_yield call (which cost each decode job about a microsecond of start-up).
     */
    private static final long PURE_SPIN_NANOS = 50_000;
    /** Longs between two ranges of {@link #forEachRange}: 128 bytes, two cache lines. */
    private static final int SHARE_STRIDE = 16;
    private static volatile Pool pool;
    private static int requestedThreads = defaultThreads();

    private Parallel() {
    }

    private static int defaultThreads() {
        String prop = System.getProperty("jvlm.threads");
        if (prop != null) {
            return Math.max(1, Integer.parseInt(prop));
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** Sets the number of threads kernels use (callers included); takes effect for the next job. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        requestedThreads = threads;
        Pool old = pool;
        pool = null;
        if (old != null) {
            old.shutdown();
        }
    }

    public static int threads() {
        return requestedThreads;
    }

    /** Runs {@code body.accept(i)} for every i in [0, tasks), spread over the pool; returns when all are done. */
    public static void forEach(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        Pool p = pool;
        if (p == null) {
            p = createPool();
        }
        p.run(tasks, body);
    }

    /** A range of indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over {@code [0, total)} in chunks of at most {@code chunk} indices. Each thread
     * owns a contiguous range (bounds multiples of {@code align}) and claims chunks from its front, so
     * it walks the range in order. A thread whose range is used up takes the back half of the largest
     * range left and walks that in order as its own: a late or preempted thread's work is taken over
     * rather than waited for, every thread still reads long ascending runs, and the threads finish
     * within about a chunk of each other.
     */
    public static void forEachRange(int total, int chunk, int align, RangeBody body) {
        if (total <= 0) {
            return;
        }
        int threads = Math.max(1, Math.min(threads(), total / Math.max(chunk, align)));
        // Each range's front and back, packed so that owner and thief claim with one compare-and-set;
        // one range per 128 bytes, so that two owners claiming their own chunks do not contend for a line.
        AtomicLongArray ranges = new AtomicLongArray(threads * SHARE_STRIDE);
        for (int t = 0; t < threads; t++) {
            long from = t == 0 ? 0 : (long) total * t / threads / align * align;
            long to = t == threads - 1 ? total : (long) total * (t + 1) / threads / align * align;
            ranges.set(t * SHARE_STRIDE, from << 32 | to);
        }
        forEach(threads, t -> {
            int own = t * SHARE_STRIDE;
            while (true) {
                long v = ranges.get(own);
                int front = (int) (v >>> 32);
                int back = (int) v;
                if (front < back) {
                    int end = Math.min(back, front + chunk);
                    if (ranges.compareAndSet(own, v, (long) end << 32 | back)) {
                        body.run(front, end);
                    }
                    continue;
                }
                long stolen = stealHalf(ranges, threads, chunk, align);
                if (stolen < 0) {
                    return;
                }
                // This thread's range is empty, and only its owner refills an empty range.
                ranges.set(own, stolen);
            }
        });
    }

    /** Takes the back half of the largest range left (all of it if that is a chunk or less); -1 if none. */
    private static long stealHalf(AtomicLongArray ranges, int threads, int chunk, int align) {
        while (true) {
            int victim = -1;
            long victimValue = 0;
            int largest = 0;
            for (int r = 0; r < threads; r++) {
                long v = ranges.get(r * SHARE_STRIDE);
                int left = (int) v - (int) (v >>> 32);
                if (left > largest) {
                    largest = left;
                    victim = r * SHARE_STRIDE;
                    victimValue = v;
                }
            }
            if (victim < 0) {
                return -1;
            }
            int front = (int) (victimValue >>> 32);
            int back = (int) victimValue;
            int mid = (front + (back - front) / 2 + align - 1) / align * align;
            if (back - front <= chunk || mid >= back) {
                mid = front;
            }
            if (ranges.compareAndSet(victim, victimValue, (long) front << 32 | mid)) {
                return (long) mid << 32 | back;
            }
        }
    }

    private static synchronized Pool createPool() {
        if (pool == null) {
            pool = new Pool(requestedThreads);
        }
        return pool;
    }

    private static final class Job {
        final int tasks;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(int tasks, IntConsumer body) {
            this.tasks = tasks;
            this.body = body;
        }

        void work() {
            int i;
            while ((i = next.getAndIncrement()) < tasks) {
                try {
                    if (failure == null) {
                        body.accept(i);
                    }
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private static final class Pool {
        private final Thread[] workers;
        private final AtomicLong generation = new AtomicLong();
        private final ThreadLocal<Boolean> inJob = ThreadLocal.withInitial(() -> false);
        private volatile Job current;
        private volatile boolean stopped;

        Pool(int threads) {
            workers = new Thread[threads - 1];
            for (int w = 0; w < workers.length; w++) {
                Thread t = new Thread(this::workerLoop, "jvlm-worker-" + w);
                t.setDaemon(true);
                workers[w] = t;
                t.start();
            }
        }

        void shutdown() {
            stopped = true;
            for (Thread t : workers) {
                LockSupport.unpark(t);
            }
        }

        synchronized void runLocked(Job job) {
            current = job;
            generation.incrementAndGet();
            for (Thread t : workers) {
                LockSupport.unpark(t);
            }
            inJob.set(true);
            try {
                job.work();
            } finally {
                inJob.set(false);
            }
            // Spin briefly for the usual case of a worker finishing its last task, then yield: when
            // the machine has fewer free cores than threads, spinning would keep the worker off the CPU.
            for (int spins = 0; job.done.get() < job.tasks; spins++) {
                if (spins < 2_000) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            current = null;
        }

        void run(int tasks, IntConsumer body) {
            if (tasks == 1 || workers.length == 0 || inJob.get()) {
                for (int i = 0; i < tasks; i++) {
                    body.accept(i);
                }
                return;
            }
            Job job = new Job(tasks, body);
            runLocked(job);
            Throwable failure = job.failure;
            if (failure instanceof RuntimeException re) {
                throw re;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
        }

        private void workerLoop() {
            inJob.set(true);
            // The generation the pool started at, not the one this thread first reads: a job handed out
            // before the thread got here would otherwise be missed (and the caller left to do it alone).
            long seen = 0;
            while (!stopped) {
                long start = System.nanoTime();
                long yieldFrom = start + PURE_SPIN_NANOS;
                long deadline = start + SPIN_NANOS;
                long g;
                while ((g = generation.get()) == seen && !stopped) {
                    long now = System.nanoTime();
                    if (now > deadline) {
                        LockSupport.park(this);
                    } else if (now < yieldFrom) {
                        Thread.onSpinWait();
                    } else {
                        Thread.yield();
                    }
                }
                seen = g;
                Job job = current;
                if (job != null) {
                    job.work();
                }
            }
        }
    }
}
