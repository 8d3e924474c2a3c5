package dev.jvlm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void rangesCoverEveryIndexOnceForAnyTotalChunkAndThreadCount() {
        int before = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2, 3, 5}) {
                Parallel.setThreads(threads);
                for (int total : new int[] {0, 1, 3, 4, 7, 64, 577, 5184}) {
                    for (int chunk : new int[] {1, 4, 28, 1000}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(total, 1));
                        Parallel.forEachRange(total, chunk, 4, (from, to) -> {
                            assertTrue(from < to && to - from <= chunk, "range [" + from + ", " + to + ") of chunk " + chunk);
                            for (int i = from; i < to; i++) {
                                hits.incrementAndGet(i);
                            }
                        });
                        for (int i = 0; i < total; i++) {
                            assertEquals(1, hits.get(i), "index " + i + " of " + total + ", chunk " + chunk + ", threads " + threads);
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void aThreadThatFinishesItsShareTakesOverTheRestOfAStalledOne() throws InterruptedException {
        int before = Parallel.threads();
        Thread caller = Thread.currentThread();
        List<int[]> byCaller = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger stalledFront = new AtomicInteger(-1);
        CountDownLatch workerStarted = new CountDownLatch(1);
        CountDownLatch restTaken = new CountDownLatch(1);
        try {
            Parallel.setThreads(2);
            // The worker stalls in its first chunk until the caller has taken the chunk right after it,
            // which the caller can only reach by finishing its own share and then taking the worker's
            // chunks from the back.
            Parallel.forEachRange(400, 10, 4, (from, to) -> {
                try {
                    if (Thread.currentThread() != caller) {
                        if (stalledFront.compareAndSet(-1, from)) {
                            workerStarted.countDown();
                            assertTrue(restTaken.await(30, TimeUnit.SECONDS), "the caller did not take the stalled share's chunks");
                        }
                        return;
                    }
                    assertTrue(workerStarted.await(30, TimeUnit.SECONDS), "the pool worker never started");
                    byCaller.add(new int[] {from, to});
                    if (from == stalledFront.get() + 10) {
                        restTaken.countDown();
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
        } finally {
            Parallel.setThreads(before);
        }
        int front = stalledFront.get();
        assertTrue(front == 0 || front == 200, "the worker started at its share's front, not at " + front);
        int ownFront = 200 - front;
        // The caller walked its own share front to back, then the rest of the stalled share back to front.
        int expected = ownFront;
        int i = 0;
        for (; i < 20; i++) {
            assertEquals(expected, byCaller.get(i)[0], "the caller's own chunk " + i);
            expected = byCaller.get(i)[1];
        }
        for (int back = front + 200; i < byCaller.size(); i++) {
            assertEquals(back, byCaller.get(i)[1], "taken from the back of the stalled share");
            back = byCaller.get(i)[0];
        }
        assertEquals(20 + 19, byCaller.size(), "all but the stalled chunk taken over");
    }
}
