package dev.jvlm.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
            long seen = generation.get();
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
